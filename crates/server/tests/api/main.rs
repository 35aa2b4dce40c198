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
mod cors;
mod dashboard;
mod devices;
mod discovery;
mod fuzz;
mod input;
mod lifecycle;
mod limits;
mod links;
mod metrics;
mod permissions;
mod public_url;
mod query;
mod query_edges;
mod refusals;
mod rendered_columns;
mod reports;
mod seeds;
mod tenants;
mod transactions;
mod validation;
mod versions;
mod wire;
