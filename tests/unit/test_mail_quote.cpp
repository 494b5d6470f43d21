#include <desk/mail/quote.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace desk::mail;

TEST_SUITE("mail.quote")
{
  TEST_CASE("Gmail's On ... wrote:")
  {
    CHECK(cut_quoted_history("Works now, thanks.\n\nOn Mon, 3 Dec 2026 at 10:00, Desk <it@x.com> wrote:\n> old\n") ==
          "Works now, thanks.");
    CHECK(cut_quoted_history("Yes.\n\nOn Mon, 3 Dec 2026 at 10:00, Service Desk\n<it@x.com> wrote:\n> old\n") == "Yes.");
  }

  TEST_CASE("Chinese clients: 在 ... 写道：, 发件人: blocks, QQ Mail's 原始邮件")
  {
    CHECK(cut_quoted_history("好了，谢谢\n\n在 2026年12月3日 10:00，服务台 <it@x.com> 写道：\n> 旧\n") == "好了，谢谢");
    CHECK(cut_quoted_history("还是不行\n\n发件人: 服务台 <it@x.com>\n发送时间: 2026年12月3日 10:00\n收件人: 张三\n主题: [INC-1] x\n\nold") ==
          "还是不行");
    CHECK(cut_quoted_history("可以了\n\n------------------ 原始邮件 ------------------\n发件人: x\n") == "可以了");
  }

  TEST_CASE("Outlook: -----Original Message----- and From:/Sent: blocks")
  {
    CHECK(cut_quoted_history("Fixed.\n\n-----Original Message-----\nFrom: it@x.com\nSent: Monday\n") == "Fixed.");
    CHECK(cut_quoted_history("Fixed.\n________________________________\nFrom: Desk <it@x.com>\nSent: Monday\nTo: me\nSubject: x\n") ==
          "Fixed.");
  }

  TEST_CASE("a trailing > block goes; text without history stays whole")
  {
    CHECK(cut_quoted_history("ok\n\n> a\n>\n> b\n") == "ok");
    CHECK(cut_quoted_history("From: here on, a plain line\nsecond") == "From: here on, a plain line\nsecond");
    CHECK(cut_quoted_history("> only a quote") == "> only a quote");
  }
}
