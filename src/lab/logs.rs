// TEMPORARY STUB (replaced by the logs helper's file)
pub struct LogSource<'a> {
    pub image: &'a str,
    pub namespace: &'a str,
    pub pod: &'a str,
    pub container: &'a str,
    pub started_at: jiff::Timestamp,
}
pub struct LogLine {
    pub at: jiff::Timestamp,
    pub text: String,
}
pub fn lines_between(
    _s: &LogSource,
    _f: jiff::Timestamp,
    _t: jiff::Timestamp,
    _m: usize,
) -> Vec<LogLine> {
    Vec::new()
}
pub fn crash_lines(_s: &LogSource, _d: jiff::Timestamp, _r: &str, _e: i32) -> Vec<LogLine> {
    Vec::new()
}
