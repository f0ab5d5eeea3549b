#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/corpus/<target>/, from the project's fixtures and
rule files (run from anywhere; rerun after fixtures change). Seeds are small on purpose: the
fuzzer grows its own corpus under fuzz/grown/, which is not committed.

Input layouts (see each target): contract_load = [format, encoding, file...], with format
0 text, 1 Markdown, 2 HTML, 3 DOCX, 4 PDF and encoding < 128 = detect, else an index into the
target's list; log_read = [selector, file...] with (selector & 0x7f) % 3 = 0 JSONL, 1 CSV, 2 YAML and
bit 0x80 = with the target's `log:` mapping.
"""
import hashlib
import json
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def pdf_from_objects(objects):
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(out))
        out += f"{i + 1} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for o in offsets:
        out += f"{o:010} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def pdf_stream(data):
    return f"<< /Length {len(data.encode()) + 1} >>\nstream\n{data}\nendstream"


PAGE = ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")


def helvetica_pdf(content):
    return pdf_from_objects([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE,
        pdf_stream(content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def cjk_pdf(lines):
    chars = sorted(set("".join(lines)))
    gid = {c: i + 1 for i, c in enumerate(chars)}
    pairs = "".join(f"<{gid[c]:04X}> <{ord(c):04X}> " for c in chars)
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def "
            "1 begincodespacerange <0000> <FFFF> endcodespacerange "
            f"{len(chars)} beginbfchar {pairs}endbfchar "
            "endcmap CMapName currentdict /CMap defineresource pop end end")
    shown = "".join("<" + "".join(f"{gid[c]:04X}" for c in l) + "> Tj 0 -16 Td "
                    for l in lines)
    return pdf_from_objects([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE,
        pdf_stream(f"BT /F1 12 Tf 72 760 Td {shown}ET"),
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        "/DescendantFonts [7 0 R] /ToUnicode 6 0 R >>",
        pdf_stream(cmap),
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
    ])


def rule_lang():
    for f in sorted((ROOT / "rules").rglob("*.rules")):
        put("rule_lang", f.read_bytes())


def contract_load():
    fx = ROOT / "fixtures"
    TEXT, MD, HTML, DOCX, PDF = range(5)
    DETECT, GBK, UTF16LE = 0, 134, 129  # 134 % 7 = 1 (gbk), 129 % 7 = 3 (utf-16le)
    for name in ["iou-private.txt", "predatory-app.txt", "english-new-york.txt",
                 "template-blank.txt", "fullwidth-crlf.txt"]:
        put("contract_load", bytes([TEXT, DETECT]) + (fx / "contracts" / name).read_bytes())
    for name in ["exemption-bold.md", "online-credit-line.md"]:
        put("contract_load", bytes([MD, DETECT]) + (fx / "contracts" / name).read_bytes())
    put("contract_load", bytes([HTML, DETECT]) + (fx / "formats/agreement.html").read_bytes())
    gbk = (fx / "formats/agreement-gbk.txt").read_bytes()
    put("contract_load", bytes([TEXT, DETECT]) + gbk)
    put("contract_load", bytes([TEXT, GBK]) + gbk)
    text = (fx / "contracts/iou-private.txt").read_text("utf-8")
    put("contract_load", bytes([TEXT, DETECT]) + b"\xff\xfe" + text.encode("utf-16-le"))
    put("contract_load", bytes([TEXT, UTF16LE]) + text.encode("utf-16-le"))
    put("contract_load", bytes([TEXT, DETECT]) + text.encode("utf-8")[:200] + b"\xff\xc3(" +
        text.encode("utf-8")[200:400])
    html_gbk = ('<html><head><meta charset="gbk"></head><body><h1>借款合同</h1>'
                '<p><b>第一条</b> 借款金额为人民币10000元，年利率36%。</p></body></html>')
    put("contract_load", bytes([HTML, DETECT]) + html_gbk.encode("gbk"))
    put("contract_load", bytes([DOCX, DETECT]) + (fx / "formats/agreement.docx").read_bytes())
    put("contract_load", bytes([PDF, DETECT]) + cjk_pdf([
        "第一条 借款金额为人民币10000元。",
        "第二条 本协议的最终解释权归本平台所有。",
        "第三条 争议由贷款人所在地法院管辖。",
    ]))
    put("contract_load", bytes([PDF, DETECT]) + helvetica_pdf(
        "BT /F1 12 Tf 72 760 Td (LOAN AGREEMENT) Tj 0 -16 Td "
        "(The annual percentage rate is 39.9%.) Tj T* (Amount financed: $1,000.00) Tj ET"))


def extract():
    fx = ROOT / "fixtures/contracts"
    for name in ["iou-private.txt", "installment-monthly-fee.txt", "upfront-service-fee.txt",
                 "us-installment-accurate.txt", "template-private-spaces.txt"]:
        put("extract", (fx / name).read_bytes())
    for snippet in [
        "借款金额人民币壹万贰仟叁佰肆拾伍元陆角柒分（¥12,345.67），月利率1.5%，日利率万分之五。",
        "借款期限自二〇二六年三月一日起至2027年2月28日止，共十二个月，按等额本息方式还款。",
        "第一条 借款 1.1 本金 三万五千元 (二) 利息 年化利率 24% 一、违约责任 第十二条之一",
        "APR 35.99% per annum; 24 monthly payments of $235.37; amount financed $4,500; term 2 years.",
        "逾期罚息为日0.05%，服务费为借款本金的3‰，综合年化成本不超过24%（IRR）。",
        "【    】元 ____ 年 ${amount} {{rate}} 1.2万 3万5千 两千五 十二 一万零五 三点五",
    ]:
        put("extract", snippet)


def jsonl_to_csv(lines):
    records = [json.loads(l) for l in lines if l.strip()]
    keys = []
    for r in records:
        keys += [k for k in r if k not in keys]
    def cell(v):
        s = "" if v is None else str(v)
        return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s
    return "\n".join([",".join(keys)] +
                     [",".join(cell(r.get(k)) for k in keys) for r in records]) + "\n"


def log_read():
    JSONL, CSV, YAML, MAPPED = 0, 1, 2, 0x80
    logs = ROOT / "fixtures/logs"
    for name in ["us/aggressive-agency.jsonl", "cn/violations.jsonl"]:
        put("log_read", bytes([JSONL]) + (logs / name).read_bytes())
    cn = (logs / "cn/clean.jsonl").read_text("utf-8").splitlines()
    put("log_read", bytes([CSV]) + jsonl_to_csv(cn[:8]).encode())
    us = (logs / "us/requests-ignored.jsonl").read_text("utf-8").splitlines()
    put("log_read", bytes([CSV]) + jsonl_to_csv(us[:8]).encode())
    put("log_read", bytes([CSV | MAPPED]) + (
        "event_id,debtor_id,ts,tz,channel,party,text\n"
        "E1,D14,2026-02-01 08:08:48,Asia/Shanghai,phone,debtor,电话提醒本期还款28618元。\n"
        'E6,D44,2026-02-01T10:58:42+08:00,Asia/Shanghai,phone,third_party,"联系人接听,\n未透露。"\n'
        "E7,D21,2026-03-08T07:10:00-04:00,America/New_York,text,debtor,Reminder: payment due.\n"
    ).encode())
    put("log_read", bytes([JSONL | MAPPED]) + (
        '{"debtor_id":"D1","ts":"2026-03-02 09:00","channel":"phone"}\n'
        '{"debtor_id":"D1","ts":"2026-03-08 02:30","tz":"America/New_York","channel":"call"}\n'
        '{"debtor_id":"D1","ts":"2026-02-30 09:00","channel":"call"}\n'
        '{"debtor_id":{"n":1},"ts":"2026-03-02 09:00","channel":"call"}\n'
    ).encode())
    # The YAML logs the rule files use as examples.
    examples = []
    for f in sorted((ROOT / "rules").rglob("*.rules")):
        examples += re.findall(r'example (?:fire|pass) "(\[\{.*\}\])"\s*$',
                               f.read_text("utf-8"), re.M)
    for e in examples[:12]:
        put("log_read", bytes([YAML]) + e.encode())
    put("log_read", bytes([YAML]) + (
        "- debtor: D1\n  time: 2026-03-02T21:30:00-05:00\n  tz: America/New_York\n"
        "  kind: call\n  outcome: no_answer\n- debtor: D1\n  time: '2026-03-03 08:00'\n"
        "  tz: America/New_York\n  kind: sms\n  text: |\n    Please call us.\n"
    ).encode())


def config():
    readme = (ROOT / "README.md").read_text("utf-8")
    m = re.search(r"## Configuration.*?```yaml\n(.*?)```", readme, re.S)
    if m:
        put("config", m.group(1))
    for text in [
        "jurisdiction: US\n",
        "params:\n  comprehensive_cost_cap: 24%\n  credit_line_max: 200000 CNY\n",
        "disable: [CN-FMT-001, CN-PRI-*]\nseverity:\n  CN-INT-003: error\n",
        "log:\n  default_zone: Asia/Shanghai\n  columns: {debtor: debtor_id}\n"
        "  values:\n    kind: {phone: call}\n",
        "include: ['contracts/**']\nexclude: [drafts/, '*.pdf']\nclauses: [clauses/]\n",
        "params:\n  bullet_term_max: 1y\n  prohibited_uses: [股票, 期货]\n  quiet_start: 22:00\n",
    ]:
        put("config", text)


if __name__ == "__main__":
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    for make in [rule_lang, contract_load, extract, log_read, config]:
        make()
    for d in sorted(CORPUS.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
