//! Granary's QUIC engine: a C ABI over quinn 0.9 for the C# transport (`lib/Granary.Transport`).
//!
//! Rules of the boundary (ARCHITECTURE.md explains them at length):
//! - C# holds numbered handles, never pointers to Rust objects; `granary_release` drops one.
//! - Every call returns a status (`status.rs`); after a failure, `granary_last_error` tells why.
//! - Calls that wait return at once and complete later through the completion callback, with the
//!   operation id C# chose; `granary_cancel` aborts one (it then completes as `Cancelled`).
//! - No panic crosses the boundary: calls catch them, tasks report them through their guard.
//! - Writes copy the caller's bytes once, into quinn's send buffer, before returning; reads fill
//!   the caller's pinned buffer straight from quinn's receive buffer.

mod alloc;
mod ops;
mod registry;
mod status;
mod tls;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ops::{CompletionCallback, OpGuard, VerifyCallback};
use registry::{EndpointEntry, Handle, StreamEntry};
use status::Status;

#[global_allocator]
static ALLOCATOR: alloc::Jemalloc = alloc::Jemalloc;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn fail(status: Status, message: impl Into<String>) -> i32 {
    LAST_ERROR.with(|e| *e.borrow_mut() = message.into());
    status as i32
}

/// Runs an exported call, turning a panic into `Internal` instead of undefined behaviour.
fn guarded(body: impl FnOnce() -> i32) -> i32 {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| fail(Status::Internal, "the native call panicked"))
}

unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

unsafe fn text(ptr: *const u8, len: usize) -> Result<String, i32> {
    String::from_utf8(bytes(ptr, len).to_vec()).map_err(|_| fail(Status::InvalidArgument, "text is not UTF-8"))
}

/// Copies the last error message of this thread into `buffer`; returns its full length.
#[no_mangle]
pub unsafe extern "C" fn granary_last_error(buffer: *mut u8, capacity: usize) -> usize {
    LAST_ERROR.with(|e| {
        let message = e.borrow();
        let n = message.len().min(capacity);
        if n > 0 && !buffer.is_null() {
            std::ptr::copy_nonoverlapping(message.as_ptr(), buffer, n);
        }
        message.len()
    })
}

/// Starts the engine: the tokio runtime (`worker_threads`, 0 = 2) and the two callbacks.
#[no_mangle]
pub extern "C" fn granary_init(complete: CompletionCallback, verify: VerifyCallback, worker_threads: u32) -> i32 {
    guarded(|| {
        if ops::CALLBACKS.set(ops::Callbacks { complete, verify }).is_err() {
            return Status::Ok as i32; // already initialised: the first callbacks stay
        }
        let threads = if worker_threads == 0 { 2 } else { worker_threads as usize };
        match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("granary-quic")
            .enable_all()
            .build()
        {
            Ok(runtime) => {
                let _ = ops::RUNTIME.set(runtime);
                Status::Ok as i32
            }
            Err(e) => fail(Status::Internal, format!("could not start the QUIC runtime: {e}")),
        }
    })
}

/// Aborts operation `op` if it is still running; it completes with `Cancelled`.
#[no_mangle]
pub extern "C" fn granary_cancel(op: u64) {
    let _ = catch_unwind(|| ops::cancel(op));
}

/// Drops a handle. Dropping the last handle to a connection closes it (code 0).
#[no_mangle]
pub extern "C" fn granary_release(handle: u64) -> i32 {
    guarded(|| if registry::remove(handle) { 0 } else { fail(Status::InvalidHandle, "no such handle") })
}

/// Live handles by kind, for leak checks.
#[no_mangle]
pub unsafe extern "C" fn granary_handle_counts(endpoints: *mut u64, connections: *mut u64, streams: *mut u64) -> i32 {
    guarded(|| {
        let (e, c, s) = registry::counts();
        *endpoints = e;
        *connections = c;
        *streams = s;
        0
    })
}

/// Transport parameters; zero means quinn's default for that field.
#[repr(C)]
pub struct TransportParams {
    pub stream_receive_window: u64,
    pub receive_window: u64,
    pub send_window: u64,
    pub max_bidi_streams: u64,
    pub max_uni_streams: u64,
    pub idle_timeout_ms: u64,
    pub keep_alive_ms: u64,
    pub initial_max_udp_payload_size: u64,
}

fn varint(value: u64) -> Result<quinn::VarInt, i32> {
    quinn::VarInt::from_u64(value).map_err(|_| fail(Status::InvalidArgument, format!("{value} does not fit a QUIC varint")))
}

fn transport_config(p: &TransportParams) -> Result<quinn::TransportConfig, i32> {
    let mut t = quinn::TransportConfig::default();
    if p.stream_receive_window > 0 {
        t.stream_receive_window(varint(p.stream_receive_window)?);
    }
    if p.receive_window > 0 {
        t.receive_window(varint(p.receive_window)?);
    }
    if p.send_window > 0 {
        t.send_window(p.send_window);
    }
    if p.max_bidi_streams > 0 {
        t.max_concurrent_bidi_streams(varint(p.max_bidi_streams)?);
    }
    if p.max_uni_streams > 0 {
        t.max_concurrent_uni_streams(varint(p.max_uni_streams)?);
    }
    if p.idle_timeout_ms > 0 {
        let timeout = quinn::IdleTimeout::try_from(Duration::from_millis(p.idle_timeout_ms))
            .map_err(|_| fail(Status::InvalidArgument, "idle timeout too large"))?;
        t.max_idle_timeout(Some(timeout));
    }
    if p.keep_alive_ms > 0 {
        t.keep_alive_interval(Some(Duration::from_millis(p.keep_alive_ms)));
    }
    if p.initial_max_udp_payload_size > 0 {
        let size = u16::try_from(p.initial_max_udp_payload_size)
            .ok()
            .filter(|s| *s >= 1200)
            .ok_or_else(|| fail(Status::InvalidArgument, "the UDP payload size must be 1200 to 65527"))?;
        t.initial_max_udp_payload_size(size);
    }
    Ok(t)
}

/// Binds an endpoint. `alpns` is a list of length-prefixed protocol names; empty = connect only.
/// The certificate (DER) and PKCS#8 key (DER) are this node's identity for both roles.
#[no_mangle]
pub unsafe extern "C" fn granary_endpoint_create(
    bind: *const u8,
    bind_len: usize,
    certificate: *const u8,
    certificate_len: usize,
    key: *const u8,
    key_len: usize,
    alpns: *const u8,
    alpns_len: usize,
    params: *const TransportParams,
    out_handle: *mut u64,
    out_port: *mut u16,
) -> i32 {
    guarded(|| {
        let runtime = match ops::RUNTIME.get() {
            Some(r) => r,
            None => return fail(Status::InvalidArgument, "granary_init was not called"),
        };
        let bind = match text(bind, bind_len) { Ok(t) => t, Err(s) => return s };
        let address: SocketAddr = match bind.parse() {
            Ok(a) => a,
            Err(_) => return fail(Status::InvalidArgument, format!("'{bind}' is not an IP address and port")),
        };
        let mut names = Vec::new();
        let mut rest = bytes(alpns, alpns_len);
        while let Some((&n, tail)) = rest.split_first() {
            if n == 0 || tail.len() < n as usize {
                return fail(Status::InvalidArgument, "malformed ALPN list");
            }
            names.push(tail[..n as usize].to_vec());
            rest = &tail[n as usize..];
        }
        let transport = match transport_config(&*params) { Ok(t) => Arc::new(t), Err(s) => return s };
        let cert = rustls::Certificate(bytes(certificate, certificate_len).to_vec());
        let private = rustls::PrivateKey(bytes(key, key_len).to_vec());
        let _entered = runtime.enter();
        let endpoint = if names.is_empty() {
            quinn::Endpoint::client(address)
        } else {
            match tls::server_config(cert.clone(), private.clone(), names, transport.clone()) {
                Ok(config) => quinn::Endpoint::server(config, address),
                Err(e) => return fail(Status::InvalidArgument, format!("bad identity: {e}")),
            }
        };
        let endpoint = match endpoint {
            Ok(e) => e,
            Err(e) => return fail(Status::InvalidArgument, format!("cannot bind {address}: {e}")),
        };
        *out_port = endpoint.local_addr().map(|a| a.port()).unwrap_or(0);
        *out_handle = registry::insert(Handle::Endpoint(Arc::new(EndpointEntry {
            endpoint,
            transport,
            client_cert: cert,
            client_key: private,
        })));
        0
    })
}

fn connection_status(error: &quinn::ConnectionError) -> (Status, u64, String) {
    use quinn::ConnectionError as E;
    let crypto = |code: u64| (0x100..0x200).contains(&code);
    match error {
        E::ApplicationClosed(close) => (
            Status::ClosedByPeer,
            close.error_code.into_inner(),
            String::from_utf8_lossy(&close.reason).into_owned(),
        ),
        E::LocallyClosed => (Status::ClosedLocally, 0, "the connection was closed by this side".into()),
        E::TimedOut => (Status::TimedOut, 0, "the peer stopped answering (idle timeout)".into()),
        E::TransportError(e) if crypto(u64::from(e.code)) => (Status::HandshakeFailed, 0, e.to_string()),
        E::ConnectionClosed(c) if crypto(u64::from(c.error_code)) => (Status::HandshakeFailed, 0, c.to_string()),
        other => (Status::ConnectionLost, 0, other.to_string()),
    }
}

fn with_endpoint(handle: u64, f: impl FnOnce(Arc<EndpointEntry>) -> i32) -> i32 {
    guarded(|| match registry::endpoint(handle) {
        Some(e) => f(e),
        None => fail(Status::InvalidHandle, "no such endpoint"),
    })
}

fn with_connection(handle: u64, f: impl FnOnce(quinn::Connection) -> i32) -> i32 {
    guarded(|| match registry::connection(handle) {
        Some(c) => f(c),
        None => fail(Status::InvalidHandle, "no such connection"),
    })
}

fn with_stream(handle: u64, f: impl FnOnce(Arc<StreamEntry>) -> i32) -> i32 {
    guarded(|| match registry::stream(handle) {
        Some(s) => f(s),
        None => fail(Status::InvalidHandle, "no such stream"),
    })
}

/// Completes `op` with the next incoming connection whose handshake succeeded.
#[no_mangle]
pub extern "C" fn granary_endpoint_accept(endpoint: u64, op: u64) -> i32 {
    with_endpoint(endpoint, |entry| {
        ops::spawn(op, move |guard: OpGuard| async move {
            // Handshakes that fail (wrong ALPN, refused identity) are dropped, not reported:
            // the accept loop serves the next peer.
            while let Some(connecting) = entry.endpoint.accept().await {
                if let Ok(connection) = connecting.await {
                    let id = registry::insert(Handle::Connection(connection));
                    return guard.finish(Status::Ok, id, "");
                }
            }
            guard.finish(Status::EndpointClosed, 0, "the endpoint is closed");
        }) as i32
    })
}

/// Connects to `address` with protocol `alpn`. `verify_context` is passed to the verify callback
/// with the server's certificate, so C# can check it is the expected node.
#[no_mangle]
pub unsafe extern "C" fn granary_endpoint_connect(
    endpoint: u64,
    address: *const u8,
    address_len: usize,
    alpn: *const u8,
    alpn_len: usize,
    verify_context: u64,
    op: u64,
) -> i32 {
    let address = match text(address, address_len) { Ok(t) => t, Err(s) => return s };
    let alpn = bytes(alpn, alpn_len).to_vec();
    with_endpoint(endpoint, |entry| {
        let target: SocketAddr = match address.parse() {
            Ok(a) => a,
            Err(_) => return fail(Status::InvalidArgument, format!("'{address}' is not an IP address and port")),
        };
        let config = match tls::client_config(entry.client_cert.clone(), entry.client_key.clone(), alpn, verify_context, entry.transport.clone()) {
            Ok(c) => c,
            Err(e) => return fail(Status::InvalidArgument, format!("bad identity: {e}")),
        };
        ops::spawn(op, move |guard: OpGuard| async move {
            let connecting = match entry.endpoint.connect_with(config, target, "granary") {
                Ok(c) => c,
                Err(e) => return guard.finish(Status::ConnectFailed, 0, &e.to_string()),
            };
            match connecting.await {
                Ok(connection) => {
                    let id = registry::insert(Handle::Connection(connection));
                    guard.finish(Status::Ok, id, "")
                }
                Err(e) => guard.fail(connection_status(&e)),
            }
        }) as i32
    })
}

/// Closes every connection of the endpoint at once with `code` and `reason`, and stops accepting.
#[no_mangle]
pub unsafe extern "C" fn granary_endpoint_close(endpoint: u64, code: u64, reason: *const u8, reason_len: usize) -> i32 {
    let reason = bytes(reason, reason_len).to_vec();
    with_endpoint(endpoint, |entry| match varint(code) {
        Ok(code) => {
            entry.endpoint.close(code, &reason);
            0
        }
        Err(s) => s,
    })
}

/// Completes `op` when every connection of the endpoint has finished closing.
#[no_mangle]
pub extern "C" fn granary_endpoint_wait_idle(endpoint: u64, op: u64) -> i32 {
    with_endpoint(endpoint, |entry| {
        ops::spawn(op, move |guard: OpGuard| async move {
            entry.endpoint.wait_idle().await;
            guard.finish(Status::Ok, 0, "")
        }) as i32
    })
}

fn open_or_accept(connection: u64, op: u64, bidirectional: bool, accept: bool) -> i32 {
    with_connection(connection, |conn| {
        ops::spawn(op, move |guard: OpGuard| async move {
            let entry = match (bidirectional, accept) {
                (true, false) => conn.open_bi().await.map(|(s, r)| StreamEntry { send: Some(s.into()), recv: Some(r.into()), deferred_read: Default::default() }),
                (true, true) => conn.accept_bi().await.map(|(s, r)| StreamEntry { send: Some(s.into()), recv: Some(r.into()), deferred_read: Default::default() }),
                (false, false) => conn.open_uni().await.map(|s| StreamEntry { send: Some(s.into()), recv: None, deferred_read: Default::default() }),
                (false, true) => conn.accept_uni().await.map(|r| StreamEntry { send: None, recv: Some(r.into()), deferred_read: Default::default() }),
            };
            match entry {
                Ok(entry) => {
                    let id = registry::insert(Handle::Stream(Arc::new(entry)));
                    guard.finish(Status::Ok, id, "")
                }
                Err(e) => guard.fail(connection_status(&e)),
            }
        }) as i32
    })
}

#[no_mangle]
pub extern "C" fn granary_connection_open_bi(connection: u64, op: u64) -> i32 {
    open_or_accept(connection, op, true, false)
}

#[no_mangle]
pub extern "C" fn granary_connection_accept_bi(connection: u64, op: u64) -> i32 {
    open_or_accept(connection, op, true, true)
}

#[no_mangle]
pub extern "C" fn granary_connection_open_uni(connection: u64, op: u64) -> i32 {
    open_or_accept(connection, op, false, false)
}

#[no_mangle]
pub extern "C" fn granary_connection_accept_uni(connection: u64, op: u64) -> i32 {
    open_or_accept(connection, op, false, true)
}

/// Closes the connection with an application error code and reason; pending operations fail.
#[no_mangle]
pub unsafe extern "C" fn granary_connection_close(connection: u64, code: u64, reason: *const u8, reason_len: usize) -> i32 {
    let reason = bytes(reason, reason_len).to_vec();
    with_connection(connection, |conn| match varint(code) {
        Ok(code) => {
            conn.close(code, &reason);
            0
        }
        Err(s) => s,
    })
}

/// Completes `op` when the connection is closed, with why (status, peer's code, reason).
#[no_mangle]
pub extern "C" fn granary_connection_closed(connection: u64, op: u64) -> i32 {
    with_connection(connection, |conn| {
        ops::spawn(op, move |guard: OpGuard| async move {
            let error = conn.closed().await;
            guard.fail(connection_status(&error))
        }) as i32
    })
}

unsafe fn copy_out(data: &[u8], buffer: *mut u8, capacity: usize, out_len: *mut usize) -> i32 {
    *out_len = data.len();
    if data.len() > capacity {
        return fail(Status::InvalidArgument, format!("buffer of {capacity} bytes is too small for {}", data.len()));
    }
    if !data.is_empty() {
        std::ptr::copy_nonoverlapping(data.as_ptr(), buffer, data.len());
    }
    0
}

/// What = 0: remote address as text; 1: negotiated ALPN; 2: peer certificate (DER).
#[no_mangle]
pub unsafe extern "C" fn granary_connection_info(connection: u64, what: u32, buffer: *mut u8, capacity: usize, out_len: *mut usize) -> i32 {
    with_connection(connection, |conn| {
        let data: Vec<u8> = match what {
            0 => conn.remote_address().to_string().into_bytes(),
            1 => conn
                .handshake_data()
                .and_then(|d| d.downcast::<quinn::crypto::rustls::HandshakeData>().ok())
                .and_then(|d| d.protocol)
                .unwrap_or_default(),
            2 => conn
                .peer_identity()
                .and_then(|p| p.downcast::<Vec<rustls::Certificate>>().ok())
                .and_then(|certs| certs.first().map(|c| c.0.clone()))
                .unwrap_or_default(),
            _ => return fail(Status::InvalidArgument, "unknown connection info"),
        };
        copy_out(&data, buffer, capacity, out_len)
    })
}

fn write_status(error: &quinn::WriteError) -> (Status, u64, String) {
    match error {
        quinn::WriteError::Stopped(code) => (Status::StreamStopped, code.into_inner(), "the peer stopped reading this stream".into()),
        quinn::WriteError::ConnectionLost(e) => connection_status(e),
        quinn::WriteError::UnknownStream => (Status::StreamClosed, 0, "the stream's writing side is already finished or reset".into()),
        quinn::WriteError::ZeroRttRejected => (Status::ConnectionLost, 0, "0-RTT rejected".into()),
    }
}

/// Writes all `len` bytes: they are copied before this returns (the caller's buffer is free),
/// and `op` completes when quinn has taken them (flow control permitting).
#[no_mangle]
pub unsafe extern "C" fn granary_stream_write(stream: u64, data: *const u8, len: usize, op: u64) -> i32 {
    let chunk = Bytes::copy_from_slice(bytes(data, len));
    with_stream(stream, |entry| {
        if entry.send.is_none() {
            return fail(Status::InvalidArgument, "this stream cannot be written (a receive-only stream)");
        }
        ops::spawn(op, move |guard: OpGuard| async move {
            let mut send = entry.send.as_ref().expect("checked").lock().await;
            let n = chunk.len() as u64;
            match send.write_chunk(chunk).await {
                Ok(()) => guard.finish(Status::Ok, n, ""),
                Err(e) => guard.fail(write_status(&e)),
            }
        }) as i32
    })
}

/// Sends FIN; `op` completes when the peer has acknowledged all the stream's data.
#[no_mangle]
pub extern "C" fn granary_stream_finish(stream: u64, op: u64) -> i32 {
    with_stream(stream, |entry| {
        if entry.send.is_none() {
            return fail(Status::InvalidArgument, "this stream cannot be written (a receive-only stream)");
        }
        ops::spawn(op, move |guard: OpGuard| async move {
            let mut send = entry.send.as_ref().expect("checked").lock().await;
            match send.finish().await {
                Ok(()) => guard.finish(Status::Ok, 0, ""),
                Err(e) => guard.fail(write_status(&e)),
            }
        }) as i32
    })
}

/// Reads into the caller's buffer, which must stay pinned until `op` completes with the number
/// of bytes read (0 = the peer finished the stream).
#[no_mangle]
pub unsafe extern "C" fn granary_stream_read(stream: u64, buffer: *mut u8, len: usize, op: u64) -> i32 {
    let address = buffer as usize;
    with_stream(stream, |entry| {
        if entry.recv.is_none() {
            return fail(Status::InvalidArgument, "this stream cannot be read (a send-only stream)");
        }
        ops::spawn(op, move |guard: OpGuard| async move {
            let mut recv = entry.recv.as_ref().expect("checked").lock().await;
            let deferred = entry.deferred_read.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(outcome) = deferred {
                return guard.fail(outcome);
            }
            // The C# side pinned this memory for the lifetime of the operation.
            let target = std::slice::from_raw_parts_mut(address as *mut u8, len);
            match recv.read(target).await {
                Ok(Some(mut n)) => {
                    // Take whatever else has already arrived, without waiting for more: one
                    // completion per buffer instead of one per packet burst. A zero timeout polls
                    // the read once; a read still pending is dropped without consuming data. An
                    // error met here is kept for the next read: quinn reports a reset only once.
                    while n < len {
                        match tokio::time::timeout(Duration::ZERO, recv.read(&mut target[n..])).await {
                            Ok(Ok(Some(more))) => n += more,
                            Ok(Err(error)) => {
                                *entry.deferred_read.lock().unwrap_or_else(|e| e.into_inner()) = Some(read_status(error));
                                break;
                            }
                            _ => break,
                        }
                    }
                    guard.finish(Status::Ok, n as u64, "")
                }
                Ok(None) => guard.finish(Status::Ok, 0, ""),
                Err(error) => guard.fail(read_status(error)),
            }
        }) as i32
    })
}

fn read_status(error: quinn::ReadError) -> (Status, u64, String) {
    match error {
        quinn::ReadError::Reset(code) => (Status::StreamReset, code.into_inner(), "the peer aborted its side of the stream".into()),
        quinn::ReadError::ConnectionLost(e) => connection_status(&e),
        quinn::ReadError::UnknownStream => (Status::StreamClosed, 0, "the stream's reading side is already stopped".into()),
        e => (Status::ConnectionLost, 0, e.to_string()),
    }
}

/// Abandons the writing side (RESET_STREAM with `code`); `op` completes once it is sent.
#[no_mangle]
pub extern "C" fn granary_stream_reset(stream: u64, code: u64, op: u64) -> i32 {
    with_stream(stream, |entry| {
        let code = match varint(code) { Ok(c) => c, Err(s) => return s };
        ops::spawn(op, move |guard: OpGuard| async move {
            if let Some(send) = entry.send.as_ref() {
                let _ = send.lock().await.reset(code);
            }
            guard.finish(Status::Ok, 0, "")
        }) as i32
    })
}

/// Abandons the reading side (STOP_SENDING with `code`); `op` completes once it is sent.
#[no_mangle]
pub extern "C" fn granary_stream_stop(stream: u64, code: u64, op: u64) -> i32 {
    with_stream(stream, |entry| {
        let code = match varint(code) { Ok(c) => c, Err(s) => return s };
        ops::spawn(op, move |guard: OpGuard| async move {
            if let Some(recv) = entry.recv.as_ref() {
                let _ = recv.lock().await.stop(code);
            }
            guard.finish(Status::Ok, 0, "")
        }) as i32
    })
}
