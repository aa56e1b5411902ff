//! The library's own allocator: jemalloc (prefixed, so the .NET runtime's `malloc` stays glibc's).
//!
//! quinn allocates a fresh transmit buffer of up to `max_datagrams` × MTU (~90 KiB with GSO) for
//! every burst it sends, counting on "modern memory allocators (e.g. mimalloc and jemalloc)" to pool
//! that size (quinn-proto 0.9 `Connection::poll_transmit`). glibc does not: those short-lived
//! buffers, interleaved with long-lived stream data in a couple of shared arenas, left the silo's
//! arenas ~40 MB larger than the data they held under 16 concurrent 1 GiB transfers, which put its
//! resident memory over the 256 MiB bound of issue 17 (bench/RESULTS.md). jemalloc's size classes
//! and per-thread caches reuse them instead.

use std::alloc::{GlobalAlloc, Layout};
use std::os::raw::{c_char, c_int, c_void};

use jemalloc_sys::{mallocx, rallocx, sdallocx, MALLOCX_ALIGN, MALLOCX_ZERO};

/// jemalloc's options, read once before its first allocation (jemalloc 5.1's `malloc_conf`; the
/// `_RJEM_MALLOC_CONF` environment variable still overrides them for an experiment):
/// - `narenas:1`: one arena for the few threads that allocate here (quinn's driver threads and the
///   .NET threads that call in); each thread's cache keeps that uncontended, and one arena has no
///   free space stranded in another.
/// - `dirty_decay_ms:200`, `muzzy_decay_ms:0`: pages freed and not reused within 200 ms go back to
///   the kernel (the default keeps them 10 s).
///
/// With jemalloc's defaults (8 arenas on 2 cores, pages kept 10 s) the silo peaked 60–85 MB higher
/// than with these, and higher than with glibc (bench/RESULTS.md, seventh session).
#[used]
#[export_name = "_rjem_malloc_conf"]
static MALLOC_CONF: Conf = Conf(b"narenas:1,dirty_decay_ms:200,muzzy_decay_ms:0\0".as_ptr() as *const c_char);

/// A C string pointer jemalloc reads as `const char *malloc_conf`.
#[repr(transparent)]
struct Conf(*const c_char);

// SAFETY: it points at an immutable static string.
unsafe impl Sync for Conf {}

/// Every allocation of the Rust side of the process (quinn, tokio, rustls, ours) through jemalloc.
pub struct Jemalloc;

/// The alignment jemalloc's smallest size class already guarantees on x86-64 and aarch64.
const MIN_ALIGN: usize = 16;

/// jemalloc's flags for `layout`: none when its size class already aligns it, else an explicit alignment.
fn align_flags(layout: &Layout) -> c_int {
    if layout.align() <= MIN_ALIGN && layout.align() <= layout.size() {
        0
    } else {
        MALLOCX_ALIGN(layout.align())
    }
}

// SAFETY: the GlobalAlloc contract (non-zero sizes, the same layout on free) is the caller's; each
// call maps to the jemalloc call with the same meaning, passing the alignment when it matters.
unsafe impl GlobalAlloc for Jemalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        mallocx(layout.size(), align_flags(&layout)) as *mut u8
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        mallocx(layout.size(), align_flags(&layout) | MALLOCX_ZERO) as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sdallocx(ptr as *mut c_void, layout.size(), align_flags(&layout))
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        rallocx(ptr as *mut c_void, new_size, align_flags(&new_layout)) as *mut u8
    }
}
