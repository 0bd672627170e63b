//! KerberosTime (RFC 4120 §5.2.3) to and from seconds since the Unix epoch, without a date
//! library: Howard Hinnant's `days_from_civil` and `civil_from_days` on the proleptic
//! Gregorian calendar.

/// Days since 1970-01-01 of the civil date `year-month-day` (month 1 to 12, day 1 to 31).
pub const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = (month + 9) % 12; // March is 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a count of days since 1970-01-01.
pub const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// Whether `year` is a Gregorian leap year.
const fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in `month` of `year`.
pub(crate) const fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses the content of a KerberosTime. The error is the rule broken.
pub(crate) fn parse_kerberos_time(content: &[u8]) -> Result<i64, &'static str> {
    let bytes: &[u8; 15] = content
        .try_into()
        .map_err(|_| "it must be exactly 15 bytes")?;
    let (digits, zone) = bytes.split_at(14);
    if zone != b"Z" {
        return Err("it must end with Z (UTC)");
    }
    let mut values = [0i64; 14];
    for (value, digit) in values.iter_mut().zip(digits) {
        if !digit.is_ascii_digit() {
            return Err("a date or time field holds a non-digit");
        }
        *value = i64::from(digit - b'0');
    }
    let [y1, y2, y3, y4, mo1, mo2, d1, d2, h1, h2, mi1, mi2, s1, s2] = values;
    let year = y1 * 1000 + y2 * 100 + y3 * 10 + y4;
    let month = mo1 * 10 + mo2;
    let day = d1 * 10 + d2;
    let hour = h1 * 10 + h2;
    let minute = mi1 * 10 + mi2;
    let second = s1 * 10 + s2;
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err("day out of range for its month");
    }
    if hour > 23 {
        return Err("hour out of range");
    }
    if minute > 59 {
        return Err("minute out of range");
    }
    if second > 59 {
        return Err("second out of range");
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Formats seconds since the Unix epoch as a KerberosTime, `YYYYMMDDHHMMSSZ`; `None` outside
/// the years 0000 to 9999.
pub fn format_kerberos_time(seconds: i64) -> Option<[u8; 15]> {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let fields = [
        (year, 4),
        (month, 2),
        (day, 2),
        (secs / 3600, 2),
        (secs / 60 % 60, 2),
        (secs % 60, 2),
    ];
    let mut out = [b'Z'; 15];
    let mut pos = 0usize;
    for (value, width) in fields {
        let mut v = value;
        for i in (0..width).rev() {
            let digit = u8::try_from(v % 10).ok()?;
            *out.get_mut(pos + i)? = b'0' + digit;
            v /= 10;
        }
        pos += width;
    }
    Some(out)
}
