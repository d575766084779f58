//! Background jobs: work that must not stall a frame (loading rounds, a system file dialog,
//! rendering an export) runs on its own thread and sends what it makes through a channel; the
//! frame loop polls the [`Job`]. A job that returns an error or panics ends as failed with a
//! message, so nothing waits forever on a thread that died.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

enum Msg<T> {
    Item(T),
    Failed(String),
}

/// Where a job's thread sends its results.
pub struct Sink<T>(Sender<Msg<T>>);

impl<T> Sink<T> {
    /// Sends one result (ignored once nobody polls the job any more).
    pub fn send(&self, item: T) {
        let _ = self.0.send(Msg::Item(item));
    }
}

/// How a job stands after a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// Still working.
    Running,
    /// Done; everything it sent has been taken.
    Finished,
    /// It stopped with this error (or panicked); what it sent before has been taken.
    Failed(String),
}

/// Work running on its own thread. `Mutex` only so a job can live in a Bevy resource.
pub struct Job<T> {
    rx: Mutex<Receiver<Msg<T>>>,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread named `name`. It sends results through the sink as it goes;
    /// returning `Err` or panicking ends the job as failed.
    pub fn spawn(name: &str, work: impl FnOnce(&Sink<T>) -> Result<(), String> + Send + 'static) -> Self {
        let (tx, rx) = channel();
        let what = name.to_owned();
        let body = move || {
            let sink = Sink(tx);
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&sink)));
            let failure = match result {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(panic) => {
                    let why = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "no message".to_owned());
                    Some(format!("the {what} stopped unexpectedly: {why}"))
                }
            };
            if let Some(e) = failure {
                let _ = sink.0.send(Msg::Failed(e));
            }
        };
        let spawned = std::thread::Builder::new().name(name.to_owned()).spawn(body);
        if let Err(e) = spawned {
            // No thread: a job that has already failed.
            let (tx, rx) = channel();
            let _ = tx.send(Msg::Failed(format!("cannot start the {name}: {e}")));
            return Self { rx: Mutex::new(rx) };
        }
        Self { rx: Mutex::new(rx) }
    }

    /// A job that makes one value.
    pub fn once(name: &str, work: impl FnOnce() -> T + Send + 'static) -> Self {
        Self::spawn(name, move |sink| {
            sink.send(work());
            Ok(())
        })
    }

    /// Takes what has arrived, and says how the job stands.
    pub fn poll(&self) -> (Vec<T>, JobStatus) {
        let mut items = Vec::new();
        let Ok(rx) = self.rx.lock() else {
            return (items, JobStatus::Failed("the job's channel is poisoned".to_owned()));
        };
        loop {
            match rx.try_recv() {
                Ok(Msg::Item(item)) => items.push(item),
                Ok(Msg::Failed(e)) => return (items, JobStatus::Failed(e)),
                Err(TryRecvError::Empty) => return (items, JobStatus::Running),
                Err(TryRecvError::Disconnected) => return (items, JobStatus::Finished),
            }
        }
    }

    /// The one value of a [`Job::once`] job: `Some(Ok(value))` when it is there,
    /// `Some(Err(message))` when the job died without one, `None` while it runs.
    pub fn poll_once(&self) -> Option<Result<T, String>> {
        let (mut items, status) = self.poll();
        match (items.pop(), status) {
            (Some(item), _) => Some(Ok(item)),
            (None, JobStatus::Running) => None,
            (None, JobStatus::Failed(e)) => Some(Err(e)),
            (None, JobStatus::Finished) => Some(Err("the job ended without a result".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait<T: Send + 'static>(job: &Job<T>) -> (Vec<T>, JobStatus) {
        let mut all = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (items, status) = job.poll();
            all.extend(items);
            if status != JobStatus::Running || std::time::Instant::now() > deadline {
                return (all, status);
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    #[test]
    fn a_job_delivers_everything_it_sent_then_finishes() {
        let job = Job::spawn("counter", |sink| {
            (0..5).for_each(|i| sink.send(i));
            Ok(())
        });
        assert_eq!(wait(&job), (vec![0, 1, 2, 3, 4], JobStatus::Finished));
    }

    #[test]
    fn a_job_that_panics_ends_failed_with_its_message_after_what_it_sent() {
        let job = Job::spawn("loader", |sink| {
            sink.send(1);
            panic!("disk on fire");
        });
        let (items, status) = wait(&job);
        assert_eq!(items, vec![1]);
        assert_eq!(status, JobStatus::Failed("the loader stopped unexpectedly: disk on fire".into()));
    }

    #[test]
    fn an_error_ends_the_job_with_that_error() {
        let job: Job<u8> = Job::spawn("loader", |_| Err("/nowhere: no such file or folder".into()));
        assert_eq!(wait(&job).1, JobStatus::Failed("/nowhere: no such file or folder".into()));
    }

    #[test]
    fn a_one_value_job_gives_its_value_once_it_is_there() {
        let job = Job::once("answer", || 42);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut got = None;
        while got.is_none() && std::time::Instant::now() < deadline {
            got = job.poll_once();
        }
        assert_eq!(got, Some(Ok(42)));
    }
}
