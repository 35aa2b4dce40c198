//! The API suite: real HTTP over a socket to the real router, on a real SQLite file.

mod helpers;

mod actions;
mod auth;
mod authority;
mod batch;
mod casts;
mod concurrency;
mod control_api;
mod control_data;
mod control_faults;
mod control_profile;
mod control_throttling;
mod devices;
mod discovery;
mod lifecycle;
mod links;
mod permissions;
mod query;
mod query_edges;
mod reports;
mod seeds;
mod tenants;
mod validation;
mod versions;
mod wire;
