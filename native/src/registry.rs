//! Every native object C# holds is a numbered handle in this table, never a pointer: a stale or
//! forged handle is an error, not memory corruption. Counts are exposed for leak tests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use once_cell::sync::OnceCell;

pub struct EndpointEntry {
    pub endpoint: quinn::Endpoint,
    pub transport: Arc<quinn::TransportConfig>,
    pub client_cert: rustls::Certificate,
    pub client_key: rustls::PrivateKey,
}

pub struct StreamEntry {
    pub send: Option<tokio::sync::Mutex<quinn::SendStream>>,
    pub recv: Option<tokio::sync::Mutex<quinn::RecvStream>>,
    /// A read outcome met while topping up a read that already had data (quinn reports a reset
    /// only once): the next read reports it.
    pub deferred_read: Mutex<Option<(crate::status::Status, u64, String)>>,
}

pub enum Handle {
    Endpoint(Arc<EndpointEntry>),
    Connection(quinn::Connection),
    Stream(Arc<StreamEntry>),
}

#[derive(Default)]
struct Table {
    handles: HashMap<u64, Handle>,
}

static TABLE: OnceCell<Mutex<Table>> = OnceCell::new();
static NEXT: AtomicU64 = AtomicU64::new(1);

fn table() -> std::sync::MutexGuard<'static, Table> {
    TABLE.get_or_init(|| Mutex::new(Table::default())).lock().unwrap_or_else(|e| e.into_inner())
}

pub fn insert(handle: Handle) -> u64 {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    table().handles.insert(id, handle);
    id
}

pub fn remove(id: u64) -> bool {
    table().handles.remove(&id).is_some()
}

pub fn endpoint(id: u64) -> Option<Arc<EndpointEntry>> {
    match table().handles.get(&id) {
        Some(Handle::Endpoint(e)) => Some(e.clone()),
        _ => None,
    }
}

pub fn connection(id: u64) -> Option<quinn::Connection> {
    match table().handles.get(&id) {
        Some(Handle::Connection(c)) => Some(c.clone()),
        _ => None,
    }
}

pub fn stream(id: u64) -> Option<Arc<StreamEntry>> {
    match table().handles.get(&id) {
        Some(Handle::Stream(s)) => Some(s.clone()),
        _ => None,
    }
}

/// (endpoints, connections, streams) currently held.
pub fn counts() -> (u64, u64, u64) {
    let t = table();
    let mut c = (0, 0, 0);
    for h in t.handles.values() {
        match h {
            Handle::Endpoint(_) => c.0 += 1,
            Handle::Connection(_) => c.1 += 1,
            Handle::Stream(_) => c.2 += 1,
        }
    }
    c
}
