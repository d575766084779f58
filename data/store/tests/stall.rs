//! A server that stops answering in the middle of an import, played by a TCP relay between
//! proxviz and a real PostgreSQL server that stops passing bytes on (as a hung server, a
//! dropped network or a full disk look from the client). In its own test binary so its relay
//! and timings stay out of the other store tests.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use proxviz_store::test_server::TestServer;
use proxviz_store::{ImportOptions, Store};

/// A relay on a local port to `target`; while `stalled` it holds every byte back.
struct Relay {
    port: u16,
    stalled: Arc<AtomicBool>,
}

fn pump(mut from: TcpStream, mut to: TcpStream, stalled: Arc<AtomicBool>) {
    let mut buf = [0u8; 64 * 1024];
    loop {
        while stalled.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
        }
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                while stalled.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

impl Relay {
    fn start(target: (String, u16)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = listener.local_addr().expect("addr").port();
        let stalled = Arc::new(AtomicBool::new(false));
        let flag = stalled.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect((target.0.as_str(), target.1)) else { continue };
                let (c2, s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
                let (f1, f2) = (flag.clone(), flag.clone());
                std::thread::spawn(move || pump(client, server, f1));
                std::thread::spawn(move || pump(s2, c2, f2));
            }
        });
        Self { port, stalled }
    }
}

/// Host and port of a `postgres://user@host:port/db` URL.
fn host_port(url: &str) -> (String, u16) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let hostport = rest.split(['/', '?']).next().unwrap_or(rest);
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "5432"));
    (host.to_owned(), port.parse().expect("port"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stops_answering_fails_the_round_in_bounded_time_and_stops_the_run() {
    let direct = TestServer::get().fresh_database("stall").await.expect("db");
    // Migrate directly, then import through the relay.
    let owner = Store::connect(&direct).await.expect("connects");
    let (host, port) = host_port(&direct);
    let relay = Relay::start((host.clone(), port));
    let relayed = direct.replacen(&format!("{host}:{port}"), &format!("127.0.0.1:{}", relay.port), 1);
    let store = Store::connect(&relayed).await.expect("connects through the relay");

    let demo = proxviz_data::discover_rounds(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo"))
        .expect("demo rounds");
    let options = ImportOptions { replace: false, timeout: Duration::from_secs(3) };
    let stalled = relay.stalled.clone();
    let started = Instant::now();
    let mut seen = Vec::new();
    let run = store
        .import_files(&demo, &options, |base| {
            seen.push(base.to_owned());
            // The server stops answering during the second round.
            if seen.len() == 2 {
                let stalled = stalled.clone();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(30));
                    stalled.store(true, Ordering::Relaxed);
                });
            }
        })
        .await;
    let took = started.elapsed();
    assert_eq!(run.imported, 1, "{run:?}");
    let (err, not_tried) = run.stopped.as_ref().expect("the run stopped");
    assert_eq!(*not_tried, demo.len() - 2, "the rounds after it were not tried");
    assert_eq!(seen.len(), 2);
    let msg = err.to_string();
    assert!(msg.contains(&demo[1].name.base) && msg.contains("nothing of it was kept"), "{msg}");
    assert!(took < Duration::from_secs(15), "bounded: {took:?}");
    // Nothing of the second round is there, seen directly.
    let rounds: Vec<String> =
        sqlx::query_scalar("SELECT base_name FROM rounds").fetch_all(owner.pool()).await.expect("rounds");
    assert_eq!(rounds, [demo[0].name.base.clone()]);
    drop(store);
    relay.stalled.store(false, Ordering::Relaxed);
    // Once the stalled connection is gone the server has rolled back: no row without a round.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let orphans: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM player_positions p WHERE NOT EXISTS (SELECT 1 FROM rounds r WHERE r.id = p.round_id)",
        )
        .fetch_one(owner.pool())
        .await
        .expect("counts");
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        )
        .fetch_one(owner.pool())
        .await
        .expect("activity");
        if orphans == 0 && open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{orphans} orphan rows, {open} open transactions");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
