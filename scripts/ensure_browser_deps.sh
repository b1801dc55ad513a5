#!/usr/bin/env bash
# Install Debian's Chromium and CJK fonts for the Playwright browser tests, and Pango for the PDF
# reports (WeasyPrint), when they are missing.
# Without root (and no sudo) it only explains; the browser tests then skip, except under CI=true.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "安装浏览器测试依赖：${missing[*]}"
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "无法自动安装（需要 root）：请运行 sudo apt-get install -y ${missing[*]}"
  [ "${CI:-}" = "true" ] && exit 1
fi
exit 0
