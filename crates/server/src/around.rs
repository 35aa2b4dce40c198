//! Middleware that works before and after the rest of the stack without awaiting anything
//! of its own: Graph's envelope, the metrics, the size limits. axum's `from_fn` boxes the
//! rest of the stack (a clone of it, per request) and its future; an [`Around`] wraps the
//! inner service's future as it is (bench/HISTORY.md, step 24).

use std::convert::Infallible;
use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

/// What a middleware does before the request goes on, and to the response coming back.
pub trait Around: Clone + Send + Sync + 'static {
    /// What [`Around::before`] hands to [`Around::after`] (the request's ids, its start).
    type Carry: Send + 'static;

    /// Looks at (or changes) the request; `Break` answers it here, without the rest of
    /// the stack (and without [`Around::after`]).
    fn before(&self, request: &mut Request) -> ControlFlow<Response, Self::Carry>;

    /// The response the rest of the stack gave, as it goes back.
    fn after(&self, carry: Self::Carry, response: Response) -> Response;
}

/// The layer of an [`Around`].
#[derive(Clone)]
pub struct AroundLayer<A>(pub A);

impl<A: Around, S> Layer<S> for AroundLayer<A> {
    type Service = AroundService<A, S>;

    fn layer(&self, inner: S) -> Self::Service {
        AroundService {
            around: self.0.clone(),
            inner,
        }
    }
}

/// An [`Around`] wrapped around `S`.
#[derive(Clone)]
pub struct AroundService<A, S> {
    around: A,
    inner: S,
}

impl<A, S> Service<Request> for AroundService<A, S>
where
    A: Around,
    S: Service<Request, Error = Infallible>,
    S::Response: IntoResponse,
{
    type Response = Response;
    type Error = Infallible;
    type Future = AroundFuture<A, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        match self.around.before(&mut request) {
            ControlFlow::Continue(carry) => AroundFuture::Running {
                inner: self.inner.call(request),
                after: Some((self.around.clone(), carry)),
            },
            ControlFlow::Break(answer) => AroundFuture::Answered {
                answer: Some(answer),
            },
        }
    }
}

pin_project! {
    /// The inner service's future, then [`Around::after`]; or the answer `before` gave.
    #[project = Projected]
    pub enum AroundFuture<A: Around, F> {
        /// The rest of the stack is working on the request.
        Running { #[pin] inner: F, after: Option<(A, A::Carry)> },
        /// `before` answered.
        Answered { answer: Option<Response> },
    }
}

impl<A, F, R> Future for AroundFuture<A, F>
where
    A: Around,
    F: Future<Output = Result<R, Infallible>>,
    R: IntoResponse,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = match self.project() {
            Projected::Running { inner, after } => {
                let Ok(response) = ready!(inner.poll(cx));
                match after.take() {
                    Some((around, carry)) => around.after(carry, response.into_response()),
                    // Polled again after it was ready: the caller broke the contract.
                    None => panic!("AroundFuture polled after completion"),
                }
            }
            Projected::Answered { answer } => match answer.take() {
                Some(answer) => answer,
                None => panic!("AroundFuture polled after completion"),
            },
        };
        Poll::Ready(Ok(response))
    }
}
