//! A request sent one of two ways by a test of it: a comparison in front of a router
//! rather than a router with the other service as its fallback, which would match the
//! path and store its parameters again on every request. The operational endpoints
//! (`operations`) and Graph's own paths (`graph_paths`) are picked so.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use futures_util::future::Either;
use tower::util::Oneshot;
use tower::{Service, ServiceExt};

/// Sends a request to `first` when `test` holds for it, else to `second`.
#[derive(Clone)]
pub struct Fork<T, A, B> {
    test: T,
    first: A,
    second: B,
}

impl<T, A, B> Fork<T, A, B> {
    /// `first` for the requests `test` picks, `second` for the others.
    pub fn new(test: T, first: A, second: B) -> Self {
        Fork {
            test,
            first,
            second,
        }
    }
}

impl<T, A, B> Service<Request> for Fork<T, A, B>
where
    T: Fn(&Request) -> bool,
    A: Service<Request, Response = Response, Error = Infallible> + Clone,
    B: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Oneshot<A, Request>, Oneshot<B, Request>>;

    /// Always ready: each request waits for the service it goes to (the data routes'
    /// cap is a readiness), and only that one.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if (self.test)(&request) {
            Either::Left(self.first.clone().oneshot(request))
        } else {
            Either::Right(self.second.clone().oneshot(request))
        }
    }
}
