//! The API suite: real HTTP over a socket to the real router, on a real SQLite file.

mod helpers;

mod batch;
mod concurrency;
mod discovery;
mod lifecycle;
mod seeds;
mod validation;
mod versions;
mod wire;
