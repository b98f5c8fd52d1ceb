//! Two pose stages side by side for a recording judged flat out. Each runs on a thread of its own with a
//! one-thread model and tracks every other frame (one the even frames, the other the odd ones), so neither
//! waits for the other's result, and the frames come back in their order. On 2 cores two one-thread runs
//! side by side do twice the frames of one (11.7 against 24.6 ms a frame, measured here), where one run on
//! two threads does 1.3x the frames of one for about twice the CPU, its second thread spinning between the
//! model's small layers. A camera's loop keeps one stage: it must answer each frame as soon as it can.

use std::collections::VecDeque;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::seeing::capture::Frame;
use crate::seeing::pose::{ModelError, Pose, PoseStage, StageTimes};

/// A frame with the pose its stage found in it.
pub struct Posed {
    pub frame: Frame,
    pub pose: Result<Pose, ModelError>,
    /// The pose stage's wall time on this frame, in milliseconds, and its model's share by stage.
    pub pose_ms: f64,
    pub model: StageTimes,
    /// Whether the back was asked for.
    pub read_back: bool,
}

enum Job {
    /// A frame, and whether its back is read (boxed: a frame that carries its pose is large).
    Frame(Box<Frame>, bool),
    Reset,
}

struct Worker {
    jobs: Sender<Job>,
    done: Receiver<Posed>,
    thread: Option<JoinHandle<()>>,
}

pub struct Twin {
    workers: [Worker; 2],
    /// Which worker has each frame in flight, oldest first.
    in_flight: VecDeque<usize>,
    /// The worker the next frame goes to.
    next: usize,
}

impl Twin {
    /// Starts both workers, each with a stage from `make`, loaded side by side.
    pub fn start<F, E>(make: F) -> Result<Twin, E>
    where
        F: Fn() -> Result<Box<dyn PoseStage>, E> + Send + Sync + 'static,
        E: Send + 'static,
    {
        let make = std::sync::Arc::new(make);
        let (ready_tx, ready_rx) = channel();
        let workers = [0, 1].map(|i| {
            let (jobs, job_rx) = channel::<Job>();
            let (done_tx, done) = channel();
            let (make, ready) = (make.clone(), ready_tx.clone());
            let thread = std::thread::Builder::new()
                .name(format!("pose-{i}"))
                .spawn(move || {
                    let mut stage = match make() {
                        Ok(stage) => {
                            let _ = ready.send(Ok(()));
                            stage
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                            return;
                        }
                    };
                    for job in job_rx {
                        let (frame, read_back) = match job {
                            Job::Frame(frame, read_back) => {
                                stage.want_back(read_back);
                                (*frame, read_back)
                            }
                            Job::Reset => {
                                stage.reset();
                                continue;
                            }
                        };
                        let t0 = Instant::now();
                        let pose = match &frame.pose {
                            Some(pose) => Ok(pose.clone()),
                            None => stage.estimate(&frame.image),
                        };
                        let (pose_ms, model) = (t0.elapsed().as_secs_f64() * 1e3, stage.take_times());
                        if done_tx.send(Posed { frame, pose, pose_ms, model, read_back }).is_err() {
                            break;
                        }
                    }
                })
                .expect("a pose thread starts");
            Worker { jobs, done, thread: Some(thread) }
        });
        drop(ready_tx);
        for ready in ready_rx.iter().take(2) {
            ready?;
        }
        Ok(Twin { workers, in_flight: VecDeque::new(), next: 0 })
    }

    /// Hands `frame` to the next worker in turn; its back is read when `read_back` ([`PoseStage::want_back`]).
    pub fn submit(&mut self, frame: Frame, read_back: bool) {
        let w = self.next;
        self.next = 1 - w;
        // A worker only ends when the twin is dropped, or when it panicked: `take` then says so.
        if self.workers[w].jobs.send(Job::Frame(Box::new(frame), read_back)).is_ok() {
            self.in_flight.push_back(w);
        }
    }

    /// Frames handed over and not yet taken back.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// The oldest frame in flight with its pose, once found; None when none is in flight.
    pub fn take(&mut self) -> Option<Posed> {
        let w = self.in_flight.pop_front()?;
        Some(self.workers[w].done.recv().unwrap_or_else(|_| panic!("pose thread {w} ended while a frame was in it")))
    }

    /// Both stages forget earlier frames (an unrelated recording follows); the next frame goes to the first.
    pub fn reset(&mut self) {
        for w in &self.workers {
            let _ = w.jobs.send(Job::Reset);
        }
        self.next = 0;
    }
}

impl Drop for Twin {
    fn drop(&mut self) {
        for w in &mut self.workers {
            // Closing the queue ends the worker's loop.
            let (closed, _) = channel();
            w.jobs = closed;
            if let Some(t) = w.thread.take() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeing::pose::{Back, Joint};

    /// A stage that says which it is and what it was asked: its number in the width, the frames it saw (in
    /// order) in the height, and whether it read the back in the back's curve.
    struct Telling {
        id: u32,
        seen: u32,
        back: bool,
    }

    impl PoseStage for Telling {
        fn estimate(&mut self, frame: &image::RgbImage) -> Result<Pose, ModelError> {
            self.seen += 1;
            let mut pose = Pose::unseen(self.id, self.seen, &Joint::ALL);
            pose.back = self.back.then(|| Back { curve: frame.width() as f32, outline: Vec::new() });
            Ok(pose)
        }
        fn want_back(&mut self, wanted: bool) {
            self.back = wanted;
        }
        fn reset(&mut self) {
            self.seen = 0;
        }
    }

    fn twin() -> Twin {
        let ids = std::sync::atomic::AtomicU32::new(0);
        let make = move || {
            let id = ids.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, ModelError>(Box::new(Telling { id, seen: 0, back: false }) as Box<dyn PoseStage>)
        };
        Twin::start(make).unwrap()
    }

    /// Frame `i` is `i + 1` pixels wide, so that a pose says which frame it came from.
    fn frame(i: u64) -> Frame {
        Frame::image(i, i as f64 / 30.0, image::RgbImage::new(i as u32 + 1, 1))
    }

    #[test]
    fn frames_come_back_in_order_each_stage_following_every_other_frame() {
        let mut twin = twin();
        let mut out = Vec::new();
        for i in 0..7 {
            twin.submit(frame(i), i % 3 == 0);
            if twin.in_flight() == 2 {
                out.push(twin.take().unwrap());
            }
        }
        while let Some(p) = twin.take() {
            out.push(p);
        }
        assert_eq!(out.iter().map(|p| p.frame.index).collect::<Vec<_>>(), (0..7).collect::<Vec<_>>());
        let poses: Vec<Pose> = out.iter().map(|p| p.pose.as_ref().unwrap().clone()).collect();
        // The even frames went to one stage, the odd ones to the other, each seeing its own in order.
        let stage_of: Vec<u32> = poses.iter().map(|p| p.width).collect();
        assert_ne!(stage_of[0], stage_of[1]);
        assert!(stage_of.iter().step_by(2).all(|&s| s == stage_of[0]), "{stage_of:?}");
        assert!(stage_of.iter().skip(1).step_by(2).all(|&s| s == stage_of[1]), "{stage_of:?}");
        assert_eq!(poses.iter().map(|p| p.height).collect::<Vec<_>>(), [1, 1, 2, 2, 3, 3, 4]);
        // The back was read on the frames it was asked for, and on those only, from their own frame.
        for (i, p) in out.iter().enumerate() {
            assert_eq!(p.read_back, i % 3 == 0);
            assert_eq!(poses[i].back.as_ref().map(|b| b.curve), p.read_back.then_some(i as f32 + 1.0));
        }
    }

    #[test]
    fn reset_starts_both_stages_afresh_and_a_stage_that_fails_to_load_is_an_error() {
        let mut twin = twin();
        for i in 0..3 {
            twin.submit(frame(i), false);
        }
        while twin.take().is_some() {}
        twin.reset();
        twin.submit(frame(0), false);
        twin.submit(frame(1), false);
        let seen: Vec<u32> = [twin.take(), twin.take()].map(|p| p.unwrap().pose.unwrap().height).to_vec();
        assert_eq!(seen, [1, 1]);
        assert!(twin.take().is_none());

        let failing = Twin::start(|| Err::<Box<dyn PoseStage>, _>("no model here"));
        assert_eq!(failing.err(), Some("no model here"));
    }
}
