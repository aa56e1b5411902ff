//! Asynchronous operations: each is a tokio task that reports exactly once through the callback
//! C# registered, identified by the operation id C# chose.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use once_cell::sync::OnceCell;

use crate::status::Status;

/// `(op, status, value, message, message_len)`: value is a handle, a byte count or an error code.
pub type CompletionCallback = extern "C" fn(u64, i32, u64, *const u8, usize);

/// `(context, certificate_der, len) -> 1 to accept`: the identity check, done in C#.
pub type VerifyCallback = extern "C" fn(u64, *const u8, usize) -> i32;

pub struct Callbacks {
    pub complete: CompletionCallback,
    pub verify: VerifyCallback,
}

pub static CALLBACKS: OnceCell<Callbacks> = OnceCell::new();
pub static RUNTIME: OnceCell<tokio::runtime::Runtime> = OnceCell::new();

/// Running operations, so that C# can cancel one (the task is aborted, its guard reports it).
static RUNNING: OnceCell<Mutex<HashMap<u64, tokio::task::JoinHandle<()>>>> = OnceCell::new();

fn running() -> &'static Mutex<HashMap<u64, tokio::task::JoinHandle<()>>> {
    RUNNING.get_or_init(|| Mutex::new(HashMap::new()))
}

pub fn complete(op: u64, status: Status, value: u64, message: &str) {
    if let Some(callbacks) = CALLBACKS.get() {
        (callbacks.complete)(op, status as i32, value, message.as_ptr(), message.len());
    }
}

/// Reports an operation once. If the task is dropped before it reports (cancelled, or a panic
/// unwinding through it), the guard reports instead, so C# never waits forever.
pub struct OpGuard {
    op: u64,
    done: bool,
}

impl OpGuard {
    /// Reports a failure described as (status, value, message), as the error mappers return it.
    pub fn fail(self, outcome: (Status, u64, String)) {
        self.finish(outcome.0, outcome.1, &outcome.2)
    }

    pub fn finish(mut self, status: Status, value: u64, message: &str) {
        self.done = true;
        running().lock().unwrap_or_else(|e| e.into_inner()).remove(&self.op);
        complete(self.op, status, value, message);
    }
}

impl Drop for OpGuard {
    fn drop(&mut self) {
        if !self.done {
            running().lock().unwrap_or_else(|e| e.into_inner()).remove(&self.op);
            let (status, message) = if std::thread::panicking() {
                (Status::Internal, "the native operation panicked")
            } else {
                (Status::Cancelled, "the operation was cancelled")
            };
            complete(self.op, status, 0, message);
        }
    }
}

/// Starts `work` as operation `op`; `work` receives the guard it must finish.
pub fn spawn<F, Fut>(op: u64, work: F) -> Status
where
    F: FnOnce(OpGuard) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runtime = match RUNTIME.get() {
        Some(r) => r,
        None => return Status::InvalidArgument,
    };
    let guard = OpGuard { op, done: false };
    // Hold the table's lock across spawn so a fast task cannot finish before it is registered.
    let mut table = running().lock().unwrap_or_else(|e| e.into_inner());
    let task = runtime.spawn(work(guard));
    table.insert(op, task);
    Status::Ok
}

/// Aborts a running operation; it completes with `Cancelled`. Unknown or finished ops are ignored.
pub fn cancel(op: u64) {
    let handle = running().lock().unwrap_or_else(|e| e.into_inner()).remove(&op);
    if let Some(handle) = handle {
        handle.abort();
    }
}
