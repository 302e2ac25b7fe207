"""The area tree (city › district › street/town › community/village › grid › building),
compounds, and `access`: the one module that decides what a user may see and do."""
