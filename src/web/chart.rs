//! Small SVG charts drawn on the server: progress over days, and one measure over a session's time.
//! Hand-written rather than a plotting crate: two kinds of chart are needed, each must carry a `<title>`
//! per point (the browser shows it on hover) and a labelled axis with its unit, and the output is a few
//! kilobytes of text that goes into a page or a printed report as it is (nothing fetched, no script).

use std::fmt::Write as _;

const W: f64 = 520.0;
const H: f64 = 220.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 46.0;
const INK: &str = "#1d3557";
const ACCENT: &str = "#e76f51";
const FAULT: &str = "#d62828";

/// Text for XML: `&`, `<`, `>` and quotes escaped.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Round tick values from 0-ish `lo` to `hi`: steps of 1, 2 or 5 times a power of ten, about `n` of them.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() * step;
    (0..)
        .map(|i| first + i as f64 * step)
        .take_while(|v| *v <= hi + step * 1e-6)
        .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
        .collect()
}

fn num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The frame: background, title, gridlines with y tick labels, the y axis label, the x axis label.
fn frame(out: &mut String, title: &str, y_label: &str, x_label: &str, y: &Scale) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="13">"#,
        t = esc(title)
    );
    let _ = write!(out, r##"<rect width="{W}" height="{H}" fill="#fff"/><title>{}</title>"##, esc(title));
    let _ = write!(out, r#"<text x="{LEFT}" y="16" font-weight="bold" font-size="13">{}</text>"#, esc(title));
    for v in ticks(y.lo, y.hi, 4).into_iter().filter(|v| !y.whole || v.fract() == 0.0) {
        let py = y.at(v);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}" stroke="#ddd"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            num(v)
        );
    }
    let (x0, y0) = (LEFT, H - BOTTOM);
    let _ = write!(
        out,
        r##"<line x1="{x0}" x2="{x0}" y1="{TOP}" y2="{y0}" stroke="#333"/><line x1="{x0}" x2="{}" y1="{y0}" y2="{y0}" stroke="#333"/>"##,
        W - RIGHT
    );
    let _ = write!(
        out,
        r#"<text class="axis-label y-label" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        (TOP + y0) / 2.0,
        esc(y_label)
    );
    let _ = write!(
        out,
        r#"<text class="axis-label x-label" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
        (LEFT + W - RIGHT) / 2.0,
        H - 6.0,
        esc(x_label)
    );
}

/// A linear map from values to the plot's pixel rows (or columns).
struct Scale {
    lo: f64,
    hi: f64,
    /// Counts: only whole-number ticks.
    whole: bool,
    p0: f64,
    p1: f64,
}

impl Scale {
    fn y(lo: f64, hi: f64) -> Scale {
        Scale { lo, hi, whole: false, p0: H - BOTTOM, p1: TOP }
    }
    fn x(lo: f64, hi: f64) -> Scale {
        Scale { lo, hi, whole: false, p0: LEFT, p1: W - RIGHT }
    }
    fn at(&self, v: f64) -> f64 {
        let span = (self.hi - self.lo).max(1e-9);
        self.p0 + (v - self.lo) / span * (self.p1 - self.p0)
    }
}

/// A y range from 0 to a round number above `max` (a flat zero series still gets an axis of 0 to 1).
fn zero_to(max: f64) -> (f64, f64) {
    let t = ticks(0.0, max.max(1.0), 4);
    let step = t.get(1).copied().unwrap_or(1.0);
    (0.0, (max.max(1.0) / step).ceil() * step)
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Days since 1970-01-01 of a date "YYYY-MM-DD..." (Howard Hinnant's days-from-civil).
pub fn day_number(date: &str) -> Option<i64> {
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// "YYYY-MM-DD" of a day number.
pub fn date_of(day: i64) -> String {
    let (y, m, d) = crate::history::store::civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn short_date(day: i64) -> String {
    let (_, m, d) = crate::history::store::civil_from_days(day);
    format!("{} {d}", MONTHS[m as usize - 1])
}

/// How a day chart draws its values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    Bars,
    /// Points joined by a line (gaps: days without a value).
    Line,
}

/// One value per day ("YYYY-MM-DD", value, hover text). The x axis runs over whole days from the first to
/// the last, at least a week, so one day is one bar in a week and a hundred days are a hundred thin bars;
/// dates are labelled at a step that keeps about seven labels. `y_max`: a fixed top (100 for percentages).
pub fn days(title: &str, y_label: &str, points: &[(String, f64, String)], style: Style, y_max: Option<f64>) -> String {
    let mut out = String::new();
    let pts: Vec<(i64, f64, &str)> =
        points.iter().filter_map(|(d, v, t)| Some((day_number(d)?, *v, t.as_str()))).collect();
    let last = pts.iter().map(|p| p.0).max().unwrap_or(0);
    let first = pts.iter().map(|p| p.0).min().unwrap_or(last).min(last - 6);
    let n = (last - first + 1) as f64;
    let x = Scale::x(first as f64 - 0.5, last as f64 + 0.5);
    let (lo, hi) = match y_max {
        Some(m) => (0.0, m),
        None => zero_to(pts.iter().map(|p| p.1).fold(0.0, f64::max)),
    };
    let mut y = Scale::y(lo, hi);
    y.whole = pts.iter().all(|p| p.1.fract() == 0.0);
    frame(&mut out, title, y_label, "date", &y);
    // Date labels: every `step` days, counted back from the last day so that it is always labelled.
    let step = [1, 2, 7, 14, 28, 56, 91, 182, 364].into_iter().find(|s| n / *s as f64 <= 8.0).unwrap_or(728);
    let mut d = last;
    while d >= first {
        let px = x.at(d as f64);
        let _ = write!(
            out,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{y0}" y2="{y1}" stroke="#333"/><text class="tick" x="{px:.1}" y="{ty}" text-anchor="middle">{}</text>"##,
            short_date(d),
            y0 = H - BOTTOM,
            y1 = H - BOTTOM + 4.0,
            ty = H - BOTTOM + 16.0
        );
        d -= step;
    }
    let slot = (x.at(1.0) - x.at(0.0)).abs();
    match style {
        Style::Bars => {
            let bw = (slot * 0.7).max(1.5);
            for (d, v, t) in &pts {
                let (px, py) = (x.at(*d as f64), y.at(*v));
                let _ = write!(
                    out,
                    r#"<rect class="point" x="{:.1}" y="{py:.1}" width="{bw:.1}" height="{:.1}" fill="{INK}"><title>{}</title></rect>"#,
                    px - bw / 2.0,
                    (H - BOTTOM - py).max(0.0),
                    esc(t)
                );
            }
        }
        Style::Line => {
            // Consecutive days are joined; a day without a value breaks the line.
            let mut path = String::new();
            let mut prev: Option<i64> = None;
            for (d, v, _) in &pts {
                let cmd = if prev == Some(d - 1) { 'L' } else { 'M' };
                let _ = write!(path, "{cmd}{:.1} {:.1} ", x.at(*d as f64), y.at(*v));
                prev = Some(*d);
            }
            let _ = write!(out, r#"<path d="{path}" fill="none" stroke="{ACCENT}" stroke-width="2"/>"#);
            let r = (slot * 0.3).clamp(2.0, 5.0);
            for (d, v, t) in &pts {
                let _ = write!(
                    out,
                    r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="{ACCENT}"><title>{}</title></circle>"#,
                    x.at(*d as f64),
                    y.at(*v),
                    esc(t)
                );
            }
        }
    }
    if pts.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#666">no data</text>"##,
            W / 2.0,
            H / 2.0
        );
    }
    out.push_str("</svg>");
    out
}

/// A time span to mark on a [`measure_over_time`] chart, with its hover text.
pub struct Span {
    pub from: f64,
    pub to: f64,
    pub text: String,
}

/// One measure over a session's seconds, against its target band: the band shaded green, the periods
/// in the working phase shaded grey, each fault period shaded red (hover: what and when).
pub fn measure_over_time(
    title: &str,
    y_label: &str,
    values: &[(f64, Option<f64>)],
    band: (f64, f64),
    phases: &[Span],
    faults: &[Span],
) -> String {
    let mut out = String::new();
    let t_end = values.iter().map(|v| v.0).fold(1.0, f64::max);
    let x = Scale::x(0.0, t_end);
    let seen = values.iter().filter_map(|v| v.1);
    let (vmin, vmax) = seen.fold((band.0, band.1), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((vmax - vmin) * 0.08).max(1e-3);
    let y = Scale::y(vmin - pad, vmax + pad);
    frame(&mut out, title, y_label, "time into the session (min:s)", &y);
    let (top, bottom) = (TOP, H - BOTTOM);
    for p in phases {
        let _ = write!(
            out,
            r##"<rect class="phase" x="{:.1}" y="{top}" width="{:.1}" height="{:.1}" fill="#e9ecef"><title>{}</title></rect>"##,
            x.at(p.from),
            (x.at(p.to) - x.at(p.from)).max(1.0),
            bottom - top,
            esc(&p.text)
        );
    }
    let (b0, b1) = (y.at(band.1.min(y.hi)), y.at(band.0.max(y.lo)));
    let _ = write!(
        out,
        r##"<rect class="band" x="{LEFT}" y="{b0:.1}" width="{:.1}" height="{:.1}" fill="#2ecc40" fill-opacity="0.18"><title>target {} to {}</title></rect>"##,
        W - RIGHT - LEFT,
        (b1 - b0).max(0.0),
        num(band.0),
        num(band.1)
    );
    for f in faults {
        let _ = write!(
            out,
            r#"<rect class="fault" x="{:.1}" y="{top}" width="{:.1}" height="{:.1}" fill="{FAULT}" fill-opacity="0.25"><title>{}</title></rect>"#,
            x.at(f.from),
            (x.at(f.to) - x.at(f.from)).max(2.0),
            bottom - top,
            esc(&f.text)
        );
    }
    // Time ticks at round steps of seconds, labelled m:ss.
    let tstep = [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0]
        .into_iter()
        .find(|s| t_end / s <= 8.0)
        .unwrap_or(3600.0);
    let mut t = 0.0;
    while t <= t_end + 1e-9 {
        let px = x.at(t);
        let _ = write!(
            out,
            r##"<line x1="{px:.1}" x2="{px:.1}" y1="{bottom}" y2="{}" stroke="#333"/><text class="tick" x="{px:.1}" y="{}" text-anchor="middle">{}</text>"##,
            bottom + 4.0,
            bottom + 16.0,
            crate::history::timeline::clock(t)
        );
        t += tstep;
    }
    let mut path = String::new();
    let mut joined = false;
    for (t, v) in values {
        match v {
            Some(v) => {
                let _ = write!(path, "{}{:.1} {:.1} ", if joined { 'L' } else { 'M' }, x.at(*t), y.at(*v));
                joined = true;
            }
            None => joined = false,
        }
    }
    let _ = write!(out, r#"<path class="measure" d="{path}" fill="none" stroke="{INK}" stroke-width="1.8"/>"#);
    for (t, v) in values {
        if let Some(v) = v {
            let _ = write!(
                out,
                r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="1.8" fill="{INK}"><title>{}: {}</title></circle>"#,
                x.at(*t),
                y.at(*v),
                crate::history::timeline::clock(*t),
                num(*v)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 100.0, 4), vec![0.0, 50.0, 100.0]);
        assert_eq!(ticks(0.0, 7.0, 4), vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(ticks(150.0, 200.0, 4), vec![160.0, 180.0, 200.0]);
        assert_eq!(zero_to(56.0), (0.0, 60.0));
        assert_eq!(zero_to(0.0), (0.0, 1.0));
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2026-11-29T10:00:00Z"), Some(20_786));
        assert_eq!(date_of(20_786), "2026-11-29");
        assert_eq!(day_number("2026-13-01"), None);
    }

    #[test]
    fn one_day_and_a_hundred_days_get_labelled_axes_and_hover_values() {
        let one = days("Held", "seconds", &[("2026-11-29".into(), 42.0, "42 s".into())], Style::Bars, None);
        assert!(one.contains("<title>42 s</title>") && one.contains("Nov 29") && one.contains(">seconds<"));
        assert_eq!(one.matches("class=\"point\"").count(), 1);
        let many: Vec<(String, f64, String)> =
            (0..100).map(|i| (date_of(20_700 + i), i as f64, format!("{i}"))).collect();
        let svg = days("Held", "seconds", &many, Style::Line, None);
        assert_eq!(svg.matches("class=\"point\"").count(), 100);
        let labels = svg.matches("class=\"tick\"").count();
        assert!(labels < 20, "{labels} tick labels");
    }
}
