//! hyper's own refusals, in Graph's error shape.
//!
//! hyper answers a request it cannot parse before any service sees it: 400 for a
//! malformed request line or header, 414 for a request target over 64 KB, 431 for a
//! header block past its read buffer, each as a bare head
//! (`HTTP/1.1 414 URI Too Long`, `connection: close`, `content-length: 0`, `date: …`)
//! before it closes the connection. No hook exists for that answer, so the connection's
//! writer recognizes exactly that head (the service never answers an error without a
//! body) and sends Graph's error in its place. Requests are not parsed here; only the
//! server's own output is matched.
//!
//! The head is matched at the end of one write, which is how hyper writes it (last, on a
//! connection it then closes); a head split across two writes by a full socket buffer
//! would go out bare.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::ApiError;
use crate::config::Limits;
use crate::error::ErrorBody;
use crate::middleware::error_envelope;

/// hyper's longest request target (`MAX_URI_LEN`).
const HYPER_MAX_URI: usize = u16::MAX as usize - 1;
/// hyper's default read buffer, which the request head must fit in.
const HYPER_MAX_HEAD: usize = 8192 + 4096 * 100;

/// The limits a replaced refusal states: what the service accepts, the lower of its own
/// limit and hyper's (a 70,000-byte target that hyper refuses is over the service's
/// 32 KiB too, and the client needs the limit it must stay within).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalLimits {
    uri: usize,
    head: usize,
}

impl RefusalLimits {
    /// The limits of a server configured with `limits`.
    pub fn of(limits: &Limits) -> RefusalLimits {
        RefusalLimits {
            uri: limits.max_uri_bytes.min(HYPER_MAX_URI),
            head: limits.max_header_bytes.min(HYPER_MAX_HEAD),
        }
    }
}

/// A connection whose writes have hyper's bare refusals replaced by Graph's errors.
pub struct GraphRefusals<I> {
    inner: I,
    limits: RefusalLimits,
    /// Bytes owed to the socket (a replaced refusal), written before anything else.
    pending: Vec<u8>,
    written: usize,
}

impl<I> GraphRefusals<I> {
    /// Wraps a connection whose refusals state `limits`.
    pub fn new(inner: I, limits: RefusalLimits) -> Self {
        GraphRefusals {
            inner,
            limits,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<I: AsyncWrite + Unpin> GraphRefusals<I> {
    /// Writes out what is owed; ready when nothing is.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for GraphRefusals<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for GraphRefusals<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        if let Some((start, replacement)) = replace_refusal(buf, this.limits) {
            this.pending.extend_from_slice(&buf[..start]);
            this.pending.extend_from_slice(&replacement);
            // The whole buffer is taken: what it owes goes out from `pending`.
            let _ = this.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    /// Several buffers go out in one vectored write when the socket takes them, so hyper
    /// queues a response's body behind its head instead of copying the body into its own
    /// buffer (3% of a page of devices' instructions). A refusal is a head without a body,
    /// which hyper writes as one buffer: a write of one buffer is checked as `poll_write`
    /// checks it; one of several holds a body of the service's and passes unchanged.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        match (filled.next(), filled.next()) {
            (one, None) => self.poll_write(cx, one.map_or(&[], |b| &**b)),
            _ => {
                let this = &mut *self;
                ready!(this.poll_pending(cx))?;
                Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// If `written` ends with one of hyper's bare refusals: where it starts, and Graph's
/// answer to send instead.
fn replace_refusal(written: &[u8], limits: RefusalLimits) -> Option<(usize, Vec<u8>)> {
    const TAIL: &[u8] = b"\r\n\r\n";
    if !written.ends_with(TAIL) {
        return None;
    }
    let head_end = written.len() - TAIL.len();
    // The head is the last message: find where it starts.
    let start = find_last(&written[..head_end], b"HTTP/1.1 ")?;
    let head = std::str::from_utf8(&written[start..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.strip_prefix("HTTP/1.1 ")?.get(..3)?;
    let error = match status {
        "400" => ApiError::Http(axum::http::StatusCode::BAD_REQUEST),
        "414" => ApiError::UriTooLong(limits.uri),
        "431" => ApiError::HeadersTooLarge(limits.head),
        _ => return None,
    };
    let mut date = None;
    let mut others = 0;
    for line in lines {
        match line.split_once(": ") {
            Some(("connection", "close")) | Some(("content-length", "0")) => {}
            Some(("date", value)) => date = Some(value),
            _ => others += 1,
        }
    }
    if others > 0 {
        return None;
    }
    Some((start, graph_answer(&error, date?)))
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window == needle)
}

/// The full response: Graph's envelope, with a fresh request id.
fn graph_answer(error: &ApiError, date: &str) -> Vec<u8> {
    let (status, _) = error.status_and_code();
    let body: ErrorBody = error.body();
    let request_id = uuid::Uuid::new_v4().to_string();
    let json = error_envelope(&body, &request_id, &request_id).to_string();
    format!(
        "HTTP/1.1 {} {}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\ncache-control: no-cache\r\nrequest-id: {request_id}\r\nclient-request-id: {request_id}\r\ndate: {date}\r\n\r\n{json}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default(),
        json.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Tue, 01 Dec 2026 09:04:58 GMT";
    const LIMITS: RefusalLimits = RefusalLimits {
        uri: 32768,
        head: 65536,
    };

    fn bare(status: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: 0\r\ndate: {DATE}\r\n\r\n"
        )
    }

    #[test]
    fn hypers_bare_refusals_become_graph_errors() {
        for (status, code) in [
            ("400 Bad Request", "BadRequest"),
            ("414 URI Too Long", "RequestUriTooLong"),
            (
                "431 Request Header Fields Too Large",
                "RequestHeaderFieldsTooLarge",
            ),
        ] {
            let (start, answer) = replace_refusal(bare(status).as_bytes(), LIMITS).unwrap();
            assert_eq!(start, 0);
            let text = String::from_utf8(answer).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(
                head.starts_with(&format!("HTTP/1.1 {}", &status[..3])),
                "{head}"
            );
            assert!(head.contains("content-type: application/json"), "{head}");
            assert!(
                head.contains(&format!("content-length: {}", body.len())),
                "{head}"
            );
            let json: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(json["error"]["code"], code);
        }
    }

    #[test]
    fn a_refusal_after_an_earlier_answer_keeps_that_answer() {
        let earlier = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
        let written = format!("{earlier}{}", bare("400 Bad Request"));
        let (start, _) = replace_refusal(written.as_bytes(), LIMITS).unwrap();
        assert_eq!(&written[..start], earlier);
    }

    /// hyper writes through `poll_write_vectored` when the socket takes vectored writes: a
    /// refusal written as one of the buffers is replaced, a head and its body pass as they
    /// are.
    #[tokio::test]
    async fn vectored_writes_are_checked_like_single_ones() {
        use tokio::io::AsyncWriteExt;

        let mut refused = GraphRefusals::new(Vec::new(), LIMITS);
        assert!(refused.is_write_vectored());
        let head = bare("414 URI Too Long");
        let slices = [IoSlice::new(b""), IoSlice::new(head.as_bytes())];
        let n = refused.write_vectored(&slices).await.unwrap();
        assert_eq!(n, head.len());
        let sent = String::from_utf8(refused.inner).unwrap();
        assert!(sent.starts_with("HTTP/1.1 414"), "{sent}");
        assert!(sent.contains("\"RequestUriTooLong\""), "{sent}");

        let mut answered = GraphRefusals::new(Vec::new(), LIMITS);
        let (head, body) = ("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n", "{}");
        let slices = [IoSlice::new(head.as_bytes()), IoSlice::new(body.as_bytes())];
        let n = answered.write_vectored(&slices).await.unwrap();
        assert_eq!(n, head.len() + body.len());
        assert_eq!(answered.inner, format!("{head}{body}").into_bytes());
    }

    #[test]
    fn the_services_own_answers_pass_unchanged() {
        for written in [
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\ndate: x\r\n\r\n".to_string(),
            "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\ndate: x\r\n\r\n".to_string(),
            bare("404 Not Found"),
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}".to_string(),
        ] {
            assert!(replace_refusal(written.as_bytes(), LIMITS).is_none(), "{written}");
        }
    }
}
