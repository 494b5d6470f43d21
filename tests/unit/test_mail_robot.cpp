#include <desk/mail/message.hpp>
#include <desk/mail/robot.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace desk::mail;

TEST_SUITE("mail.robot")
{
  TEST_CASE("RFC 3834 headers, bounces and lists are never answered")
  {
    auto kind = [](const std::string& headers) {
      return classify_sender(parse_mail(headers + "\n\nbody\n", 1000)).kind;
    };
    CHECK(kind("From: a@b.c\nAuto-Submitted: auto-replied") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nAuto-Submitted: no") == SenderKind::person);
    CHECK(kind("From: a@b.c\nPrecedence: bulk") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nPrecedence: junk") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nPrecedence: list") == SenderKind::list);
    CHECK(kind("From: a@b.c\nX-Autoreply: yes") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nX-Auto-Response-Suppress: All") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nReturn-Path: <>") == SenderKind::robot);
    CHECK(kind("From: MAILER-DAEMON@b.c") == SenderKind::robot);
    CHECK(kind("From: postmaster@b.c") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nContent-Type: multipart/report; report-type=delivery-status; boundary=x") ==
          SenderKind::robot);
    CHECK(kind("From: a@b.c\nReturn-Path: <a@b.c>") == SenderKind::person);
  }
}
