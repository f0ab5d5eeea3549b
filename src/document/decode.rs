//! Bytes to text: byte-order marks, UTF-8, legacy encodings (forced or guessed), and a map
//! from the decoded text back to the file's bytes.
//!
//! Order of decisions: a BOM (UTF-8, UTF-16LE/BE) wins; then `--encoding`; then valid UTF-8;
//! then chardetng's guess (GBK/GB18030, Big5, Shift_JIS, …). A guessed encoding must decode
//! without errors and give text that looks like text, or the file is refused: a guess is
//! never allowed to turn a binary file into a page of mojibake that is then "checked".

use super::OffsetMap;
use encoding_rs::{CoderResult, Encoding, UTF_8};

/// How much of the start of a file is searched for NUL bytes.
pub(crate) const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// A guessed decoding with more control characters than this (per mille) is not text.
const MAX_CONTROL_PER_MILLE: usize = 5;

#[derive(Debug)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    /// Bytes of the file before the text (a BOM).
    pub bom_len: usize,
    /// Byte offsets of `text` to byte offsets of the file, when they are not simply
    /// `bom_len` apart (every encoding but UTF-8).
    pub file_map: Option<OffsetMap>,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeFailure {
    /// A NUL byte in the first kilobytes, at this file offset.
    Binary { offset: usize },
    /// Bytes that are not valid in `encoding`: the first one's file offset and 1-based line.
    Invalid {
        encoding: &'static str,
        guessed: bool,
        line: usize,
        offset: usize,
    },
    /// Not UTF-8 (the first bad byte at this file offset and 1-based line), and decoded in
    /// the guessed encoding it gives control characters rather than text.
    NotText {
        encoding: &'static str,
        line: usize,
        offset: usize,
    },
}

/// Decode a whole file. `forced` is the `--encoding` choice (a BOM still wins over it).
pub(crate) fn decode(
    bytes: &[u8],
    forced: Option<&'static Encoding>,
) -> Result<Decoded, DecodeFailure> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_as(bytes, encoding, bom_len, false);
    }
    if let Some(encoding) = forced {
        return decode_as(bytes, encoding, 0, false);
    }
    let sniff = bytes.get(..BINARY_SNIFF_LEN).unwrap_or(bytes);
    if let Some(offset) = sniff.iter().position(|&b| b == 0) {
        return Err(DecodeFailure::Binary { offset });
    }
    let not_utf8_at = match simdutf8::compat::from_utf8(bytes) {
        // What `decode_as(bytes, UTF_8, 0, false)` gives, without validating the bytes again.
        Ok(text) => {
            return Ok(Decoded {
                text: text.to_string(),
                encoding: UTF_8,
                bom_len: 0,
                file_map: None,
            })
        }
        Err(e) => e.valid_up_to(),
    };
    let guessed = guess(bytes);
    let decoded = decode_as(bytes, guessed, 0, true)?;
    if looks_like_text(&decoded.text) {
        Ok(decoded)
    } else {
        Err(DecodeFailure::NotText {
            encoding: guessed.name(),
            line: line_of(bytes.get(..not_utf8_at).unwrap_or_default()),
            offset: not_utf8_at,
        })
    }
}

/// chardetng's best guess for bytes that are not UTF-8.
fn guess(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, false)
}

fn decode_as(
    bytes: &[u8],
    encoding: &'static Encoding,
    bom_len: usize,
    guessed: bool,
) -> Result<Decoded, DecodeFailure> {
    let body = bytes.get(bom_len..).unwrap_or_default();
    if encoding == UTF_8 {
        return match simdutf8::compat::from_utf8(body) {
            Ok(text) => Ok(Decoded {
                text: text.to_string(),
                encoding,
                bom_len,
                file_map: None,
            }),
            Err(e) => {
                let valid = body.get(..e.valid_up_to()).unwrap_or_default();
                Err(DecodeFailure::Invalid {
                    encoding: encoding.name(),
                    guessed,
                    line: line_of(valid),
                    offset: bom_len + e.valid_up_to(),
                })
            }
        };
    }
    let mapped = decode_mapped(body, encoding, bom_len);
    match mapped.first_error {
        Some((offset, line)) => Err(DecodeFailure::Invalid {
            encoding: encoding.name(),
            guessed,
            line,
            offset,
        }),
        None => Ok(Decoded {
            text: mapped.text,
            encoding,
            bom_len,
            file_map: Some(mapped.map),
        }),
    }
}

struct Mapped {
    text: String,
    map: OffsetMap,
    /// File offset and 1-based line of the first malformed sequence.
    first_error: Option<(usize, usize)>,
}

/// Decode `body` (which starts at file offset `base`) one byte at a time, so that each decoded
/// character is known to come from the bytes fed since the previous one: exact offsets for
/// every encoding, malformed input included, at a cost that only non-UTF-8 files pay.
fn decode_mapped(body: &[u8], encoding: &'static Encoding, base: usize) -> Mapped {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(body.len() + body.len() / 2);
    let mut map = OffsetMap::new();
    let mut first_error = None;
    let mut char_start = base;
    let mut buf = [0u8; 64];
    for (i, byte) in body.iter().enumerate() {
        let last = i + 1 == body.len();
        let mut input: &[u8] = std::slice::from_ref(byte);
        loop {
            let (result, read, written, had_errors) = decoder.decode_to_utf8(input, &mut buf, last);
            if had_errors && first_error.is_none() {
                first_error = Some((char_start, line_of(text.as_bytes())));
            }
            let produced = std::str::from_utf8(buf.get(..written).unwrap_or_default());
            for (k, c) in produced.unwrap_or_default().chars().enumerate() {
                // Several characters from one byte (an error then the byte itself):
                // the first began where the pending bytes did, the rest at this byte.
                let at = if k == 0 { char_start } else { base + i };
                map.push(text.len(), at);
                text.push(c);
            }
            if written > 0 {
                char_start = base + i + 1;
            }
            input = input.get(read..).unwrap_or_default();
            if result == CoderResult::InputEmpty {
                break;
            }
        }
    }
    map.push(text.len(), base + body.len());
    Mapped {
        text,
        map,
        first_error,
    }
}

/// Few enough control characters (other than tab, line breaks and form feed) to be text.
fn looks_like_text(text: &str) -> bool {
    let mut chars = 0usize;
    let mut controls = 0usize;
    for c in text.chars() {
        chars += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            controls += 1;
        }
    }
    controls * 1000 <= chars * MAX_CONTROL_PER_MILLE
}

/// 1-based line number after `bytes` (line breaks: `\n`, `\r\n`, lone `\r`).
pub(crate) fn line_of(bytes: &[u8]) -> usize {
    let lone_cr = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        .count();
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    1 + lf + lone_cr
}

/// The encoding a label names (`gbk`, `GB18030`, `big5`, `utf-16le`, `latin1`…), per the
/// WHATWG Encoding Standard's label list.
pub(crate) fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{BIG5, GBK, UTF_16BE, UTF_16LE};

    const CONTRACT: &str =
        "借款合同\r\n第一条 借款金额：人民币10,000元。\n第二条 年化利率为２４％。\n";

    fn file_slice<'a>(bytes: &'a [u8], d: &Decoded, needle: &str) -> &'a [u8] {
        let at = d.text.find(needle).unwrap();
        let map = d.file_map.as_ref().unwrap();
        &bytes[map.to_source(at)..map.to_source(at + needle.len())]
    }

    #[test]
    fn gbk_is_guessed_and_maps_back_to_gbk_bytes() {
        let (bytes, _, _) = GBK.encode(CONTRACT);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, GBK);
        assert_eq!(d.text, CONTRACT);
        let (year_rate, _, _) = GBK.encode("年化利率为２４％");
        assert_eq!(file_slice(&bytes, &d, "年化利率为２４％"), &*year_rate);
        let map = d.file_map.as_ref().unwrap();
        assert_eq!(map.to_source(d.text.len()), bytes.len());
    }

    #[test]
    fn big5_is_guessed() {
        let text = "借款契約\n第一條 借款金額：新臺幣壹拾萬元整，借款人應按月償還本金及利息。\n\
                    第二條 本契約之利率為年息百分之十二，逾期未還者應支付違約金。\n";
        let (bytes, _, _) = BIG5.encode(text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, BIG5);
        assert_eq!(d.text, text);
        let (b, _, _) = BIG5.encode("違約金");
        assert_eq!(file_slice(&bytes, &d, "違約金"), &*b);
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let b = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn utf16_with_bom_decodes_both_byte_orders() {
        for (big_endian, encoding) in [(false, UTF_16LE), (true, UTF_16BE)] {
            let bytes = utf16("甲方：张三\n😀年利率24%", big_endian);
            let d = decode(&bytes, None).unwrap();
            assert_eq!(d.encoding, encoding);
            assert_eq!(d.bom_len, 2);
            assert_eq!(d.text, "甲方：张三\n😀年利率24%");
            // 甲方：张三\n is 6 UTF-16 units, 😀 two more: "年" starts at 2 + 16 bytes.
            let at = d.text.find('年').unwrap();
            assert_eq!(d.file_map.as_ref().unwrap().to_source(at), 2 + 16);
            let emoji = d.text.find('😀').unwrap();
            assert_eq!(d.file_map.as_ref().unwrap().to_source(emoji), 2 + 12);
        }
    }

    #[test]
    fn forced_encoding_overrides_detection() {
        let (bytes, _, _) = GBK.encode("甲方");
        let d = decode(&bytes, encoding_for_label("gb18030")).unwrap();
        assert_eq!(d.encoding.name(), "gb18030");
        assert_eq!(d.text, "甲方");
        // Forced UTF-8 on GBK bytes is an error at the first bad byte.
        let err = decode(&bytes, Some(UTF_8)).unwrap_err();
        assert_eq!(
            err,
            DecodeFailure::Invalid {
                encoding: "UTF-8",
                guessed: false,
                line: 1,
                offset: 0
            }
        );
    }

    #[test]
    fn forced_utf16_without_bom_is_not_binary() {
        let bytes: Vec<u8> = "ab".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(
            decode(&bytes, None).unwrap_err(),
            DecodeFailure::Binary { offset: 1 }
        );
        let d = decode(&bytes, Some(UTF_16LE)).unwrap();
        assert_eq!(d.text, "ab");
    }

    #[test]
    fn utf8_bom_is_counted_but_not_mapped() {
        let d = decode(b"\xEF\xBB\xBFab", None).unwrap();
        assert_eq!((d.text.as_str(), d.bom_len), ("ab", 3));
        assert!(d.file_map.is_none());
    }

    #[test]
    fn malformed_forced_gbk_reports_line_and_offset() {
        let mut bytes = GBK.encode("甲方\n乙方\n").0.into_owned();
        let offset = bytes.len();
        bytes.extend_from_slice(b"\x81\x20rest");
        let err = decode(&bytes, Some(GBK)).unwrap_err();
        assert_eq!(
            err,
            DecodeFailure::Invalid {
                encoding: "GBK",
                guessed: false,
                line: 3,
                offset
            }
        );
    }

    #[test]
    fn random_high_bytes_are_not_text() {
        // Deterministic noise without NUL bytes: no encoding makes this a contract.
        let bytes: Vec<u8> = (0u32..4000)
            .map(|i| ((i.wrapping_mul(2_654_435_761) >> 13) % 255 + 1) as u8)
            .collect();
        let err = decode(&bytes, None).unwrap_err();
        assert!(
            matches!(
                err,
                DecodeFailure::NotText { .. } | DecodeFailure::Invalid { guessed: true, .. }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn line_counting_accepts_every_line_ending() {
        assert_eq!(line_of(b""), 1);
        assert_eq!(line_of(b"a\nb\r\nc\rd"), 4);
    }
}
