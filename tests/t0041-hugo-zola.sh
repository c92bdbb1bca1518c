#!/bin/sh
# Hugo and Zola sites: TOML front matter, page bundles, section pages, their
# site configs (base url, permalinks), a page's own url or path, expiryDate,
# and a YAML-to-TOML conversion that changes no value.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

NOW=2026-11-26T00:00:00Z

test_expect_success 'Hugo: hugo.toml gives the base url and the posts permalink' '
	new_repo hugo &&
	printf "baseURL = \"https://hugo.example.com/\"\ntitle = \"Hugo Blog\"\n[permalinks]\nposts = \"/:year/:month/:slug/\"\n" >hugo.toml &&
	mkdir -p content/posts/trip &&
	printf "+++\ntitle = \"A Trip\"\ndate = 2020-03-30T10:00:00Z\ntags = [\"travel\"]\n+++\nWe went.\n" >content/posts/trip/index.md &&
	printf "+++\ntitle = \"Posts\"\n+++\nAll posts.\n" >content/posts/_index.md &&
	printf "+++\ntitle = \"Own\"\ndate = 2020-03-29\nurl = \"/special/own/\"\n+++\nOwn url.\n" >content/posts/own.md &&
	commit_all "hugo" &&
	expect_fields type,path,slug,url --all <<-\EOT
	new	content/posts/own.md	own	https://hugo.example.com/special/own/
	new	content/posts/trip/index.md	trip	https://hugo.example.com/2020/03/a-trip/
	EOT
'

test_expect_success 'Hugo: without permalinks, the section and the slug' '
	cd hugo &&
	printf "baseURL = \"https://hugo.example.com\"\n" >hugo.toml &&
	commit_all "default permalinks" &&
	expect_fields path,url --all <<-\EOT
	content/posts/own.md	https://hugo.example.com/special/own/
	content/posts/trip/index.md	https://hugo.example.com/posts/trip/
	EOT
'

test_expect_success 'Hugo: an expired post is unpublished' '
	cd hugo &&
	printf "+++\ntitle = \"Own\"\ndate = 2020-03-29\nexpiryDate = 2021-01-01\nurl = \"/special/own/\"\n+++\nOwn url.\n" >content/posts/own.md &&
	commit_all "expire" &&
	expect_events <<-\EOT
	unpublished content/posts/own.md
	EOT
'

test_expect_success 'Zola: config.toml with base_url, pages at /section/slug/, path wins' '
	new_repo zola &&
	printf "base_url = \"https://zola.example.com\"\ntitle = \"Zola Blog\"\n" >config.toml &&
	mkdir -p content/blog &&
	printf "+++\ntitle = \"First\"\ndate = 2020-03-30\n+++\nHello.\n" >content/blog/first.md &&
	printf "+++\ntitle = \"Pathed\"\ndate = 2020-03-30\npath = \"elsewhere/pathed\"\n+++\nHi.\n" >content/blog/pathed.md &&
	printf "+++\ntitle = \"Blog\"\n+++\n" >content/blog/_index.md &&
	printf "+++\ntitle = \"Later\"\ndraft = true\n+++\nNot yet.\n" >content/blog/later.md &&
	commit_all "zola" &&
	expect_fields type,path,url --all <<-\EOT
	new	content/blog/first.md	https://zola.example.com/blog/first/
	new	content/blog/pathed.md	https://zola.example.com/elsewhere/pathed/
	EOT
'

test_expect_success 'converting every post from YAML to TOML with the same values: no event' '
	new_repo convert &&
	mkdir _posts &&
	printf -- "---\ntitle: One\ndate: 2020-03-30\ntags: [a, b]\ndraft: false\ncount: 3\n---\nBody one.\n" >_posts/2020-03-30-one.md &&
	printf -- "---\ntitle: \"Two\"\ndate: 2020-03-31\n---\nBody two.\n" >_posts/2020-03-31-two.md &&
	commit_all "yaml" &&
	printf "+++\ntitle = \"One\"\ndate = \"2020-03-30\"\ntags = [\"a\", \"b\"]\ndraft = false\ncount = 3\n+++\nBody one.\n" >_posts/2020-03-30-one.md &&
	printf "+++\ntitle = \"Two\"\ndate = \"2020-03-31\"\n+++\nBody two.\n" >_posts/2020-03-31-two.md &&
	commit_all "toml" &&
	expect_events <<-\EOT
	EOT
'

test_expect_success 'a TOML local date as a date value is the same date' '
	cd convert &&
	printf "+++\ntitle = \"One\"\ndate = 2020-03-30\ntags = [\"a\", \"b\"]\ndraft = false\ncount = 3\n+++\nBody one.\n" >_posts/2020-03-30-one.md &&
	commit_all "bare date" &&
	expect_events <<-\EOT
	EOT
'

test_expect_success 'lastmod (Hugo) and updated (Zola) date the feed entries' '
	cd zola &&
	printf "+++\ntitle = \"First\"\ndate = 2020-03-30\nupdated = 2020-05-01T12:00:00Z\n+++\nHello.\n" >content/blog/first.md &&
	commit_all "updated" &&
	herald digest --since 2020-01-01 --format atom --now 2026-11-26T00:00:00Z >../zola.atom &&
	grep -A4 "<title>First</title>" ../zola.atom | grep "<updated>2020-05-01T12:00:00Z</updated>" &&
	herald digest --since 2020-01-01 --format json --now 2026-11-26T00:00:00Z >../zola.json &&
	python3 -c "
import json
items = {i[\"title\"]: i for i in json.load(open(\"../zola.json\"))[\"items\"]}
assert items[\"First\"][\"date_modified\"] == \"2020-05-01T12:00:00Z\", items[\"First\"]
assert \"date_modified\" not in items[\"Pathed\"], items[\"Pathed\"]
"
'

test_expect_success 'feed dates without a zone follow the site'"'"'s time zone rules, as post dates do' '
	new_repo hugozone &&
	cat >hugo.toml <<-\EOT &&
	baseURL = "https://zone.example/"
	timeZone = "America/New_York"
	[frontmatter]
	lastmod = ["changed", ":default"]
	EOT
	mkdir -p content/posts &&
	printf -- "---\ntitle: A\ndate: 2021-03-04T10:00:00\nLastMod: 2021-03-05T10:00:00\n---\nA.\n" >content/posts/a.md &&
	printf -- "---\ntitle: B\ndate: 2021-03-04T10:00:00\nchanged: 2021-03-06 08:00:00\nlastmod: 2021-03-07\n---\nB.\n" >content/posts/b.md &&
	printf -- "---\ntitle: C\ndate: 2021-03-04T10:00:00\n---\nC.\n" >content/posts/c.md &&
	commit_all "hugo" &&
	herald digest --since 2020-01-01 --format json --now $NOW >../hugozone.json &&
	python3 -c "
import json
items = {i[\"title\"]: i for i in json.load(open(\"../hugozone.json\"))[\"items\"]}
assert items[\"A\"][\"date_published\"] == \"2021-03-04T15:00:00Z\", items[\"A\"]
assert items[\"A\"][\"date_modified\"] == \"2021-03-05T15:00:00Z\", items[\"A\"]
assert items[\"B\"][\"date_modified\"] == \"2021-03-06T13:00:00Z\", items[\"B\"]
assert \"date_modified\" not in items[\"C\"], items[\"C\"]
" &&
	herald digest --since 2020-01-01 --format atom --now $NOW >../hugozone.atom &&
	grep -A4 "<title>A</title>" ../hugozone.atom | grep "<updated>2021-03-05T15:00:00Z</updated>" &&
	new_repo jekyllzone &&
	printf "url: https://jz.example\ntimezone: Asia/Tokyo\n" >_config.yml &&
	mkdir _posts &&
	printf -- "---\ntitle: Short\nlast_modified_at: 2024-01-02 10:00\n---\nS.\n" >_posts/2024-01-01-short.md &&
	printf -- "---\ntitle: Stamp\nlast_modified_at: 2024-01-02 10:00:00\n---\nT.\n" >_posts/2024-01-01-stamp.md &&
	commit_all "jekyll" &&
	herald digest --since 2020-01-01 --format json --now $NOW >../jz.json &&
	python3 -c "
import json
items = {i[\"title\"]: i for i in json.load(open(\"../jz.json\"))[\"items\"]}
assert items[\"Short\"][\"date_published\"] == \"2023-12-31T15:00:00Z\", items[\"Short\"]
assert items[\"Short\"][\"date_modified\"] == \"2024-01-02T01:00:00Z\", items[\"Short\"]
assert items[\"Stamp\"][\"date_modified\"] == \"2024-01-02T10:00:00Z\", items[\"Stamp\"]
"
'

test_done
