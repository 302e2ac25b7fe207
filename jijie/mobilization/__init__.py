"""Mobilization (集结): the organisations that rally people, their members, the call-ups
(集结号) a working committee issues for a response, sign-ups and their screening, the
deployments that sink members to communities (下沉) with the 双报到 link to where they
live, the pairing of units with communities (包保), and teams."""
