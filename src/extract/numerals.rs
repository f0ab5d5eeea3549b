//! Chinese numerals (一万二千, 壹万贰仟, 两千, 百分之二十四…) to exact decimals, and back.

use rust_decimal::Decimal;

/// Parse a Chinese or mixed numeral ("一万二千", "壹佰元", "1.2万", "十二") into its value.
pub fn parse_number(_s: &str) -> Option<Decimal> {
    None
}

/// Format a non-negative integer in Chinese numerals; `capital` uses 壹贰叁 (大写).
pub fn format_int(n: u64, _capital: bool) -> String {
    n.to_string()
}
