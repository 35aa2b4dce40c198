//! Connections: accepted from a listener (TCP, or TLS after the handshake) and served by
//! hyper's HTTP/1.1 with the settings axum's `serve` does not expose.
//!
//! - A client gets `header_read_timeout` to send a request's headers, and a keep-alive
//!   connection may stay idle as long between requests (hyper times both with one timer):
//!   a half-sent request or an idle socket is closed, never held forever.
//! - At most `max_connections` are open. At the cap, the connection idle the longest is
//!   asked to close (immediately, since it has nothing in flight) to admit the new one,
//!   as nginx reuses keep-alive connections; with none idle, the new connection waits
//!   until one ends. So idle sockets, however many, never keep a request out, and
//!   `/healthz` keeps answering.
//! - On shutdown, the listener stops accepting, idle connections close, and the server
//!   returns once the requests in flight have been answered.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

use crate::HttpService;
use crate::config::Limits;
use crate::refusals::{GraphRefusals, RefusalLimits};

/// How long a new connection waits for a slot, at the cap, before another idle
/// connection is asked to close.
const SHED_INTERVAL: Duration = Duration::from_millis(100);

/// Serves `router` on the connections `listener` accepts until `shutdown` completes,
/// then finishes the requests in flight.
pub async fn serve<L>(
    mut listener: L,
    router: HttpService,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()>
where
    L: Listener,
{
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let open = Arc::new(Open::default());
    let (stop, stopping) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (io, _peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let permit = tokio::select! {
            permit = admit(&slots, &open) => permit,
            () = &mut shutdown => break,
        };
        let connection = open.add();
        let task = Connection {
            router: router.clone(),
            builder: builder.clone(),
            refusals: RefusalLimits::of(&limits),
            open: open.clone(),
            state: connection,
            stopping: stopping.clone(),
            _permit: permit,
        };
        tokio::spawn(task.run(io));
    }
    let _ = stop.send(true);
    drop(listener);
    // Every connection holds a slot until it ends: all slots back means all ended.
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

/// A slot for a new connection: at once below the cap, else after idle connections
/// have been asked to close, oldest first, or a busy one has ended.
async fn admit(slots: &Arc<Semaphore>, open: &Open) -> OwnedSemaphorePermit {
    loop {
        if let Ok(permit) = slots.clone().try_acquire_owned() {
            return permit;
        }
        if open.close_oldest_idle() {
            tracing::debug!("at the connection cap: closing the longest-idle connection");
        }
        if let Ok(Ok(permit)) =
            tokio::time::timeout(SHED_INTERVAL, slots.clone().acquire_owned()).await
        {
            return permit;
        }
    }
}

/// The open connections, by accept order.
#[derive(Default)]
struct Open {
    connections: Mutex<BTreeMap<u64, Arc<ConnectionState>>>,
    next: AtomicU64,
}

/// What the accept loop knows of one connection.
struct ConnectionState {
    id: u64,
    /// Requests in the handlers now.
    in_flight: AtomicUsize,
    /// When the last request ended (or the connection opened).
    idle_since: Mutex<Instant>,
    /// Asked to close.
    closing: AtomicBool,
    close: Notify,
}

impl Open {
    fn add(&self) -> Arc<ConnectionState> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnectionState {
            id,
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            closing: AtomicBool::new(false),
            close: Notify::new(),
        });
        self.lock().insert(id, state.clone());
        state
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Asks the connection idle the longest to close; false if none is idle.
    fn close_oldest_idle(&self) -> bool {
        let connections = self.lock();
        let oldest = connections
            .values()
            .filter(|c| c.in_flight.load(Ordering::Acquire) == 0)
            .filter(|c| !c.closing.load(Ordering::Acquire))
            .min_by_key(|c| *c.idle_since.lock().unwrap_or_else(|e| e.into_inner()));
        match oldest {
            Some(connection) => {
                connection.closing.store(true, Ordering::Release);
                connection.close.notify_one();
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<ConnectionState>>> {
        // A panic while holding the lock leaves the map consistent (single operations).
        self.connections.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Marks a request in progress on its connection until dropped.
struct Busy(Arc<ConnectionState>);

impl Busy {
    fn start(state: &Arc<ConnectionState>) -> Busy {
        state.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(state.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self.0.idle_since.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One connection's task.
struct Connection {
    router: HttpService,
    builder: http1::Builder,
    refusals: RefusalLimits,
    open: Arc<Open>,
    state: Arc<ConnectionState>,
    stopping: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn run<I>(mut self, io: I)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let router = self.router.clone();
        let state = self.state.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let busy = Busy::start(&state);
            let router = router.clone();
            async move {
                let response = router.oneshot(request.map(Body::new)).await;
                drop(busy);
                response.map_err(|never: Infallible| match never {})
            }
        });
        let io = TokioIo::new(GraphRefusals::new(io, self.refusals));
        let connection = self.builder.serve_connection(io, service);
        tokio::pin!(connection);
        let mut closing = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended");
                    }
                    break;
                }
                () = self.state.close.notified(), if !closing => {
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
                _ = self.stopping.wait_for(|stop| *stop), if !closing => {
                    connection.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
        self.open.remove(self.state.id);
    }
}
