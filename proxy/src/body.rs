//! Body types: everything streams; nothing buffers a whole body.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;

/// A boxed error for bodies.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body type of every request and response the proxy makes.
pub type ProxyBody = BoxBody<Bytes, BoxError>;

/// A small body from bytes or text.
pub fn full(data: impl Into<Bytes>) -> ProxyBody {
    http_body_util::Full::new(data.into())
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body.
pub fn empty() -> ProxyBody {
    http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed()
}

/// The error a [`LimitedBody`] yields when the body passes its limit.
#[derive(Debug)]
pub struct BodyTooLarge {
    /// The limit in bytes.
    pub limit: u64,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "request body larger than the limit of {} bytes",
            self.limit
        )
    }
}

impl std::error::Error for BodyTooLarge {}

/// Streams a request body and fails once more than `limit` bytes went through; `tripped` tells
/// the handler that the failure was the limit (so it answers 413, not 502).
#[derive(Debug)]
pub struct LimitedBody<B> {
    inner: B,
    seen: u64,
    limit: u64,
    tripped: Arc<AtomicBool>,
}

impl<B> LimitedBody<B> {
    /// Wraps `inner`; `tripped` is set when the limit is passed.
    pub fn new(inner: B, limit: u64, tripped: Arc<AtomicBool>) -> Self {
        LimitedBody {
            inner,
            seen: 0,
            limit,
            tripped,
        }
    }
}

impl<B> Body for LimitedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen = this.seen.saturating_add(data.len() as u64);
                    if this.seen > this.limit {
                        this.tripped.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(Box::new(BodyTooLarge {
                            limit: this.limit,
                        }))));
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Runs `on_drop` when the body is dropped: after the last frame was sent or the client went away.
/// The access log and request metrics hang off this (the one place that sees the request end).
pub struct OnDrop<B: Body, F: FnOnce(bool)> {
    inner: B,
    finished: bool,
    on_drop: Option<F>,
}

impl<B: Body, F: FnOnce(bool)> std::fmt::Debug for OnDrop<B, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnDrop")
            .field("finished", &self.finished)
            .finish()
    }
}

impl<B: Body, F: FnOnce(bool)> OnDrop<B, F> {
    /// Wraps `inner`; `on_drop(completed)` runs once, `completed` saying whether the body ended.
    pub fn new(inner: B, on_drop: F) -> Self {
        OnDrop {
            inner,
            finished: false,
            on_drop: Some(on_drop),
        }
    }
}

impl<B: Body, F: FnOnce(bool)> Drop for OnDrop<B, F> {
    fn drop(&mut self) {
        if let Some(f) = self.on_drop.take() {
            f(self.finished || self.inner.is_end_stream());
        }
    }
}

impl<B, F> Body for OnDrop<B, F>
where
    B: Body + Unpin,
    F: FnOnce(bool) + Unpin,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            this.finished = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
