//! Black-box tests: the real server on a free port, driven over HTTP, and
//! the `relata` binary driven as a user would; every test that uses a
//! database runs on SQLite and on PostgreSQL (`analytics` needs none).

mod helpers;

mod access;
mod analytics;
mod automation;
mod backup;
mod bad_input;
mod bench;
mod calendar;
mod calls;
mod channels;
mod check;
mod cli;
mod commerce;
mod compression;
mod conformance;
mod crash;
mod custom_objects;
mod dashboard;
mod dav;
mod documents;
mod feed;
mod forecast;
mod full;
mod health;
mod i18n;
mod identity;
mod isolation;
mod jobs;
mod lists;
mod mailbox;
mod openapi;
mod privacy;
mod processes;
mod records;
mod schema;
mod service;
mod sync;
mod telephony;
mod upgrade;
mod wal;
mod web;
mod webhooks;
