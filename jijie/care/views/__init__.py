"""Care pages, by part: the supervisor's day and follow-ups (`follow_ups`), a case and
opening one (`cases`), the community's board and its alerts (`board`), errands
(`errands`), hardship households and their plans (`plans`); `base` holds the reads they
share.

Views stay thin: the selectors scope every read (404 out of sight), the services' checked
entries check every write (403 for a role too low) and their refusals show on the form or
as a message."""
