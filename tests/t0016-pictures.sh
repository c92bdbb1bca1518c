#!/bin/sh
# A post's picture and subtitle, read from the common front matter fields
# (the real post in ../shared/fixtures carries featuredImgPath and
# sub_title), resolved the way the site serves them, and shown in every
# built-in output: Slack, Discord, Teams, Telegram, Mattermost and webhook
# bodies as a real receiver got them, the HTML digest, Atom and JSON Feed.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

NOW=2026-11-26T00:00:00Z
FIXTURE="$SHARED_DIR/fixtures/backend-engineer-behind-the-scenes.md"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# body KIND: the JSON bodies the receiver got at /KIND, one a line
bodies() {
	python3 - "$TRASH/r.log" "/$1" <<-\PY
	import json, sys
	for line in open(sys.argv[1], encoding="utf-8"):
	    r = json.loads(line)
	    if r["path"] == sys.argv[2]:
	        print(json.dumps(json.loads(r["body"]), ensure_ascii=False))
	PY
}

if [ ! -f "$FIXTURE" ]; then
	test_skip 'pictures and subtitles of the real post' "no $FIXTURE: ../shared is absent"
	test_done
fi
IMAGE=$(sed -n '/^featuredImgPath:/{n;s/^ *//;p;}' "$FIXTURE")
SUBTITLE="What goes into building a backend system?"

test_expect_success 'setup: the real post as a draft, then published; targets of six kinds' '
	test -n "$IMAGE" &&
	start_receiver r --respond 200 &&
	git init -q blog && cd blog &&
	printf "title: Notes\nbase_url: https://blog.example.com\nfields:\n  image: [hero.src, featuredImgPath, image, images.0, cover.image]\n" >.herald.yml &&
	mkdir -p _posts &&
	cp "$FIXTURE" _posts/2020-03-30-backend-engineer-behind-the-scenes.md &&
	commit_all "the post, a draft" &&
	sed -i "s/^draft: true$/draft: false/" _posts/2020-03-30-backend-engineer-behind-the-scenes.md &&
	commit_all "publish it" &&
	for k in slack discord teams telegram mattermost webhook; do
		git config herald.$k.kind $k &&
		git config herald.$k.url "$url/$k" || return 1
	done &&
	git config herald.telegram.chatId 42
'

test_expect_success 'the model has the picture and the subtitle' '
	cd blog &&
	herald notes --format json --now $NOW >../model.json &&
	python3 - "$IMAGE" "$SUBTITLE" <<-\PY
	import json, sys
	m = json.load(open("../model.json"))
	e = m["posts"][0]
	assert e["image"] == sys.argv[1], e["image"]
	assert e["subtitle"] == sys.argv[2], e["subtitle"]
	PY
'

test_expect_success 'announce: every chat body and the webhook carry the picture and subtitle' '
	cd blog &&
	herald announce --now $NOW >../out 2>../err &&
	grep "6 delivered" ../err &&
	bodies slack >../slack && bodies discord >../discord && bodies teams >../teams &&
	bodies telegram >../telegram && bodies mattermost >../mattermost && bodies webhook >../webhook &&
	python3 - "$IMAGE" "$SUBTITLE" <<-\PY
	import json, sys
	image, sub = sys.argv[1], sys.argv[2]
	one = lambda k: json.loads(open("../" + k).read())
	s = one("slack")
	sec = [b for b in s["blocks"] if b["type"] == "section"][0]
	assert sec["accessory"] == {"type": "image", "image_url": image,
	                            "alt_text": "Behind the Scenes of a Backend Engineer"}, sec
	assert "\n_" + sub + "_" in sec["text"]["text"], sec
	d = one("discord")["embeds"][0]
	assert d["image"] == {"url": image}, d
	assert d["description"].startswith("*" + sub + "*\n\n"), d["description"]
	t = one("teams")["attachments"][0]["content"]["body"]
	assert {"type": "Image", "url": image, "altText": "Behind the Scenes of a Backend Engineer",
	        "size": "Stretch"} in t, t
	assert any(b.get("text") == sub for b in t), t
	g = one("telegram")
	assert g["link_preview_options"]["url"] == image, g
	assert g["link_preview_options"]["is_disabled"] is False, g
	assert "\n<i>" + sub + "</i>" in g["text"], g["text"]
	mm = one("mattermost")["text"]
	assert "![](" + image + ")" in mm and "*" + sub + "*" in mm, mm
	w = one("webhook")
	assert w["type"] == "post.undrafted", w["type"]
	assert w["data"]["image"] == image and w["data"]["subtitle"] == sub, w["data"]
	PY
'

test_expect_success 'digest: HTML picture and subtitle, Atom media:thumbnail and summary, JSON Feed image and summary' '
	cd blog &&
	herald digest --since 2020-01-01 --format html --now $NOW >../d.html &&
	herald digest --since 2020-01-01 --format atom --now $NOW >../d.atom &&
	herald digest --since 2020-01-01 --format json --now $NOW >../d.json &&
	xmllint --noout ../d.atom &&
	python3 - "$IMAGE" "$SUBTITLE" <<-\PY
	import html, json, sys
	import xml.etree.ElementTree as ET
	image, sub = sys.argv[1], sys.argv[2]
	h = open("../d.html", encoding="utf-8").read()
	assert "<img class=\"picture\" src=\"%s\"" % html.escape(image) in h, "no picture"
	assert "<p class=\"subtitle\">%s</p>" % html.escape(sub) in h, "no subtitle"
	ns = {"a": "http://www.w3.org/2005/Atom", "media": "http://search.yahoo.com/mrss/"}
	entry = ET.parse("../d.atom").getroot().find("a:entry", ns)
	assert entry.find("media:thumbnail", ns).get("url") == image
	summary = entry.find("a:summary", ns)
	assert summary is not None and summary.get("type") == "text" and summary.text == sub, "no Atom summary"
	f = json.load(open("../d.json"))
	assert f["items"][0]["image"] == image, f["items"][0]
	assert f["items"][0]["summary"] == sub, f["items"][0]
	PY
'

test_expect_success 'relative pictures: site root, page bundle, a mapped field, and javascript: left out' '
	cd blog &&
	write_post content/posts/trip/index.md <<-\EOF &&
	---
	title: A trip
	date: 2020-04-01
	images: [cover.jpg]
	subtitle: Far away
	---
	Pictures.
	EOF
	write_post _posts/2020-04-02-rooted.md <<-\EOF &&
	---
	title: Rooted
	date: 2020-04-02
	image: /img/rooted.png
	---
	Body.
	EOF
	write_post _posts/2020-04-03-mapped.md <<-\EOF &&
	---
	title: Mapped
	date: 2020-04-03
	hero:
	  src: heroes/one.png
	image: /img/not-this-one.png
	---
	Body.
	EOF
	write_post _posts/2020-04-04-evil.md <<-\EOF &&
	---
	title: Evil
	date: 2020-04-04
	image: "javascript:alert(1)"
	cover:
	  image: "data:image/png;base64,AAAA"
	---
	Body.
	EOF
	commit_all "four posts with pictures" &&
	herald notes --format json --now $NOW >../model2.json &&
	python3 - <<-\PY
	import json
	m = json.load(open("../model2.json"))
	by = {e["title"]: e for e in m["new"]}
	trip = by["A trip"]
	assert trip["url"] and trip["image"] == trip["url"].rstrip("/") + "/cover.jpg", trip
	assert trip["subtitle"] == "Far away"
	assert by["Rooted"]["image"] == "https://blog.example.com/img/rooted.png", by["Rooted"]["image"]
	assert by["Mapped"]["image"] == "https://blog.example.com/heroes/one.png", by["Mapped"]["image"]
	assert by["Evil"]["image"] is None, by["Evil"]["image"]
	PY
'

test_expect_success 'a picture that is not http(s) reaches no output' '
	cd blog &&
	herald digest --since HEAD~1 --format html --now $NOW >../e.html &&
	herald digest --since HEAD~1 --format atom --now $NOW >../e.atom &&
	herald digest --since HEAD~1 --format json --now $NOW >../e.json &&
	! grep -i "javascript:\|data:image" ../e.html ../e.atom ../e.json &&
	herald announce --dry-run --now $NOW >../dry.out 2>../dry.err &&
	python3 - <<-\PY
	import json
	bodies = [json.loads(l) for l in open("../dry.out", encoding="utf-8") if l.startswith("{")]
	assert len(bodies) >= 6, len(bodies)
	for b in bodies:
	    if "data" in b:
	        # the front matter is the post as written, data; no url is made from it
	        assert b["data"]["image"] in (None, ) or b["data"]["image"].startswith("https://"), b
	        b["data"].pop("front_matter")
	    text = json.dumps(b).lower()
	    assert "javascript:" not in text and "data:image" not in text, text
	PY
'

test_done
