//! `/metrics`: the live loop's counters and timings in Prometheus' text format (0.0.4), encoded by
//! prometheus-client, which also escapes label values (fault ids come from user TOML files).

use std::collections::BTreeMap;
use std::sync::Arc;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::running::hub::Hub;

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Everything the hub knows, read once per scrape.
struct Live(Arc<Hub>);

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Live")
    }
}

fn counter(e: &mut DescriptorEncoder, name: &str, help: &str, v: u64) -> std::fmt::Result {
    let c = ConstCounter::new(v);
    c.encode(e.encode_descriptor(name, help, None, c.metric_type())?)
}

fn gauge(e: &mut DescriptorEncoder, name: &str, help: &str, v: f64) -> std::fmt::Result {
    let g = ConstGauge::new(v);
    g.encode(e.encode_descriptor(name, help, None, g.metric_type())?)
}

impl Collector for Live {
    fn encode(&self, mut e: DescriptorEncoder) -> std::fmt::Result {
        let snapshot = self.0.snapshot();
        let (status, s) = (&snapshot.status, &snapshot.status.stats);
        gauge(&mut e, "stretchcoach_up", "1 while the program runs.", 1.0)?;
        gauge(&mut e, "stretchcoach_running", "1 while the capture loop runs.", status.running as u8 as f64)?;
        counter(&mut e, "stretchcoach_frames_captured", "Frames read from the source.", s.captured)?;
        counter(&mut e, "stretchcoach_frames_judged", "Frames through the model and judge.", s.processed)?;
        counter(
            &mut e,
            "stretchcoach_frames_dropped",
            "Frames replaced by a newer one before the model got to them.",
            s.dropped,
        )?;
        counter(&mut e, "stretchcoach_frames_unreadable", "Unreadable frames skipped.", s.bad_frames)?;
        gauge(&mut e, "stretchcoach_fps", "Judged frames per second over the last 2 s.", s.fps)?;

        // Recent capture-to-prompt latency by quantile (the crate has no summary type).
        let mut m = e.encode_descriptor(
            "stretchcoach_latency_milliseconds",
            "Capture to prompt, recent frames, by quantile.",
            None,
            MetricType::Gauge,
        )?;
        for (q, v) in [("0.5", s.latency_ms_median), ("0.95", s.latency_ms_p95)] {
            ConstGauge::new(v).encode(m.encode_family(&[("quantile", q)])?)?;
        }

        let mut by_fault: BTreeMap<(String, String), u64> = BTreeMap::new();
        for st in snapshot.summary.as_ref().map(|s| s.stretches.as_slice()).unwrap_or_default() {
            for (f, n) in &st.figures.faults {
                *by_fault.entry((st.figures.exercise.clone(), f.clone())).or_default() += *n as u64;
            }
        }
        let mut m = e.encode_descriptor(
            "stretchcoach_fault_prompts",
            "Faults told to the user, by stretch and fault.",
            None,
            MetricType::Counter,
        )?;
        for ((exercise, fault), n) in by_fault {
            let labels = [("exercise", exercise), ("fault", fault)];
            ConstCounter::new(n).encode(m.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

/// The registry `/metrics` encodes: made once per server. The pose model's time is the hub's own
/// histogram, fed by the live loop; the rest is read from the hub at each scrape.
pub struct Metrics(Registry);

impl Metrics {
    pub fn new(hub: Arc<Hub>) -> Metrics {
        let mut registry = Registry::default();
        registry.register(
            "stretchcoach_inference_seconds",
            "Time in the pose model per frame.",
            hub.inference_seconds.clone(),
        );
        registry.register_collector(Box::new(Live(hub)));
        Metrics(registry)
    }

    /// The metrics text for one scrape.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.0).expect("writing to a String");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::session::{Plan, Session, StretchSummary};

    #[test]
    fn label_values_from_user_definitions_are_escaped() {
        let hub = Hub::new(Vec::new());
        let mut session = Session::with_plan(Plan::Auto(Vec::new()));
        let report = session.step(None, 0.0);
        let mut summary = session.summary();
        let mut figures = summary.longest.clone();
        figures.exercise = "my-stretch".into();
        figures.faults = [("knee \"in\"\\out\nx".to_string(), 2)].into();
        summary.stretches.push(StretchSummary { figures, frames: 1, done: false });
        let pose = crate::seeing::pose::PoseRecord::coco(1, 1, vec![[0.0; 3]; 17]);
        hub.publish(&report, pose, None, std::sync::Arc::new(summary), |_| {});
        let metrics = Metrics::new(hub.clone());
        hub.observe_model(0.005);
        hub.observe_model(0.2);
        let text = metrics.render();
        assert!(
            text.contains(r#"stretchcoach_fault_prompts_total{exercise="my-stretch",fault="knee \"in\"\\out\nx"} 2"#),
            "{text}"
        );
        // Cumulative buckets: 0.005 s is in every bucket from 0.006 on; 0.2 s only in +Inf.
        assert!(text.contains(r#"stretchcoach_inference_seconds_bucket{le="0.004"} 0"#), "{text}");
        assert!(text.contains(r#"stretchcoach_inference_seconds_bucket{le="0.1"} 1"#), "{text}");
        assert!(text.contains(r#"stretchcoach_inference_seconds_bucket{le="+Inf"} 2"#), "{text}");
        assert!(text.contains("stretchcoach_inference_seconds_count 2"), "{text}");
        assert!(text.lines().all(|l| l.starts_with('#') || l.rsplit_once(' ').is_some()));
        // Observed once, by the registry made once: the next scrape counts on from there.
        hub.observe_model(0.001);
        assert!(metrics.render().contains("stretchcoach_inference_seconds_count 3"));
    }
}
