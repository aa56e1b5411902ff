//! b3sum-avx2 [--num-threads N] FILE: prints FILE's BLAKE3 hash in hex, as `b3sum --no-names` does,
//! through the blake3 crate's AVX2 path (see Cargo.toml). A benchmark anchor, not a product part.
use std::{env, fs::File, process::exit};

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let (threads, path) = match args.as_slice() {
        [flag, n, path] if flag == "--num-threads" => (n.parse::<usize>().unwrap_or(0), path.clone()),
        [path] => (0, path.clone()),
        _ => {
            eprintln!("usage: b3sum-avx2 [--num-threads N] FILE");
            exit(2);
        }
    };
    let file = File::open(&path).unwrap_or_else(|e| {
        eprintln!("b3sum-avx2: {path}: {e}");
        exit(1);
    });
    // Safety: the benchmark's input is not modified while it is hashed.
    let map = unsafe { memmap2::Mmap::map(&file) }.unwrap_or_else(|e| {
        eprintln!("b3sum-avx2: {path}: {e}");
        exit(1);
    });
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    let hash = pool.install(|| blake3::Hasher::new().update_rayon(&map).finalize());
    println!("{}", hash.to_hex());
}
