#!/usr/bin/env python3
"""Generate a knowledge base of N articles for benchmarks: kb/<ID>.yaml in REPO.

    python3 bench/gen_kb.py REPO [N] [--seed S]

Articles mix Chinese and English text (titles, symptoms, error text, cause, solution,
tags) from fixed word lists, deterministic for a seed. The files are written with PyYAML,
which desk reads like its own; ids are KB- plus 8 Crockford base32 characters.
"""
import argparse
import random
from pathlib import Path

import yaml

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CATEGORIES = ["network", "server", "database", "application", "end-user-device"]
DEVICES_CN = ["打印机", "笔记本电脑", "显示器", "扫描仪", "路由器", "交换机", "无线网络", "邮件客户端", "视频会议",
              "财务系统", "考勤机", "投影仪", "共享盘", "数据库", "域控制器", "防火墙", "手机", "键盘", "耳机"]
PROBLEMS_CN = ["无法连接", "脱机", "打不开", "很慢", "报错", "无法登录", "频繁断线", "没有声音", "黑屏", "卡住",
               "无法打印", "同步失败", "证书过期", "密码错误", "权限不足", "磁盘已满", "蓝屏", "无法启动"]
PLACES_CN = ["四楼", "财务部", "会议室", "前台", "仓库", "研发中心", "总部", "分公司", "家里", "出差时"]
STEPS_CN = ["重启相关服务", "重新安装驱动程序", "清除缓存后重试", "检查网线和电源", "更新到最新版本",
            "重置用户密码", "联系网络组检查端口", "在控制面板中删除后重新添加", "检查证书有效期", "释放磁盘空间",
            "以管理员身份运行", "检查防火墙策略", "重新加入域", "更换硬件"]
WORDS_EN = ["printer", "offline", "spooler", "vpn", "outlook", "mail", "password", "reset", "network", "timeout",
            "driver", "update", "windows", "certificate", "expired", "disk", "full", "wifi", "dns", "proxy",
            "license", "excel", "teams", "meeting", "audio", "screen", "black", "login", "domain", "account",
            "locked", "slow", "backup", "restore", "database", "connection", "refused", "permission", "denied",
            "sync", "calendar", "share", "folder", "firewall", "port", "server", "crash", "memory", "cpu"]
ERRORS = ["0x0000011b", "0x80070005", "0x8007045d", "Error 809", "Error 720", "ORA-12541", "ORA-01017",
          "HTTP 503", "HTTP 401", "ERR_CONNECTION_TIMED_OUT", "STOP 0x0000007E", "Kernel panic", "SMTP 535",
          "DNS_PROBE_FINISHED_NXDOMAIN", "The trust relationship failed", "Access is denied"]


def token(rng, n=8):
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def sentence_en(rng, words):
    return " ".join(rng.choice(WORDS_EN) for _ in range(words)).capitalize() + "."


def article(rng, i):
    device = rng.choice(DEVICES_CN)
    problem = rng.choice(PROBLEMS_CN)
    place = rng.choice(PLACES_CN)
    english = rng.random() < 0.35
    if english:
        title = sentence_en(rng, rng.randint(3, 7))[:-1]
    else:
        title = f"{place}{device}{problem}"
    symptoms = (f"{place}的用户反映{device}{problem}，"
                f"{rng.choice(PROBLEMS_CN)}之后{rng.choice(DEVICES_CN)}也受到影响。"
                + " ".join(sentence_en(rng, rng.randint(6, 14)) for _ in range(rng.randint(1, 3))))
    error = rng.choice(ERRORS) + (": " + sentence_en(rng, 6) if rng.random() < 0.5 else "")
    cause = f"{rng.choice(DEVICES_CN)}的配置被更改，" + sentence_en(rng, rng.randint(5, 10))
    steps = rng.sample(STEPS_CN, rng.randint(2, 5))
    solution = "\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1)) + "\n" + sentence_en(rng, rng.randint(6, 12))
    state = rng.choices(["validated", "draft", "archived"], weights=[70, 20, 10])[0]
    created = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T{rng.randint(8, 18):02d}:00:00+08:00"
    doc = {
        "id": None,
        "title": title,
        "state": state,
        "audience": rng.choice(["internal", "public"]),
        "category": rng.choice(CATEGORIES),
        "affected": [device],
        "tags": rng.sample(WORDS_EN, 2) + [device],
        "author": rng.choice(["alice", "bob", "carol", "dave"]),
        "created": created,
        "updated": created,
        "reuse_count": rng.randint(0, 40),
        "symptoms": symptoms,
        "error": error,
        "cause": cause,
        "solution": solution,
        "events": [{"id": "E-" + token(rng), "at": created, "by": "alice", "action": "add",
                    "set": {"state": "draft"}}],
    }
    return doc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="the desk repository (kb/ is created in it)")
    parser.add_argument("n", type=int, nargs="?", default=10000, help="number of articles (default 10000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kb = args.repo / "kb"
    kb.mkdir(parents=True, exist_ok=True)
    seen = set()
    for i in range(args.n):
        doc = article(rng, i)
        kid = "KB-" + token(rng)
        while kid in seen:
            kid = "KB-" + token(rng)
        seen.add(kid)
        doc["id"] = kid
        (kb / f"{kid}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    print(f"wrote {args.n} articles to {kb}")


if __name__ == "__main__":
    main()
