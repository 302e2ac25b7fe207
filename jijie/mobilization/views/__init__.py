"""Mobilization pages, by subdomain: call-ups and their sign-ups (`call_ups`), the
public sign-up page (`sign_ups`), deployments, proposals and teams (`deployments`),
members and their own page (`members`), organisations (`organisations`). The sign-up
page is public to whoever has the call-up's link (members sign up on a phone, with or
without an account); everything else is behind sign-in and `access`. Nothing personal
travels in a URL."""
