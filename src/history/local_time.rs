//! Days and times as the person reads them, in the time zone the program runs in (`TZ`, else the system's);
//! UTC stays in the stores and the API. A session at 20:00 UTC is on the next day in Tokyo, and its chart
//! bar and its row say so. jiff carries its own copy of the time zone database, so `TZ=Asia/Tokyo` works on
//! a machine that has none.

use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

fn zone() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| TimeZone::try_system().unwrap_or(TimeZone::UTC))
}

/// The zone's name, for labels: "Europe/Paris", "UTC", or "local time" when it has none.
pub fn zone_name() -> &'static str {
    zone().iana_name().unwrap_or("local time")
}

fn local(utc: &str) -> Option<jiff::Zoned> {
    Some(utc.parse::<Timestamp>().ok()?.to_zoned(zone().clone()))
}

/// The local day (YYYY-MM-DD) of an RFC 3339 time; its first ten characters when it cannot be read.
pub fn day(utc: &str) -> String {
    local(utc).map_or_else(|| utc.chars().take(10).collect(), |z| z.date().to_string())
}

/// The local time to the minute, "YYYY-MM-DD HH:MM".
pub fn minute(utc: &str) -> String {
    local(utc)
        .map_or_else(|| utc.replace('T', " ").chars().take(16).collect(), |z| z.strftime("%Y-%m-%d %H:%M").to_string())
}

/// When the local day `date` (YYYY-MM-DD) begins, in RFC 3339 UTC: local days as the stores' UTC bounds.
pub fn day_start_utc(date: &str) -> Option<String> {
    let start = date.parse::<Date>().ok()?.to_zoned(zone().clone()).ok()?;
    Some(start.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The day after `date` (YYYY-MM-DD).
pub fn next_day(date: &str) -> Option<String> {
    Some(date.parse::<Date>().ok()?.tomorrow().ok()?.to_string())
}
