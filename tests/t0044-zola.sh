#!/bin/sh
# Zola sites shaped like the Rust blog (no Zola in Debian, so expected
# values come from Zola's documentation): every .md under content/ but
# _index.md is a page; its url is front matter `path`, else the section
# path and `slug` or the slugified file or folder name, the date prefix
# (YYYY-MM-DD- or YYYY-MM-DD_) stripped; its date is `date`, else that
# prefix; Zola builds future-dated pages at once.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# page PATH FRONT-MATTER-LINES...: a page with TOML front matter.
page() {
	p=$1 && shift &&
	mkdir -p "$(dirname "$p")" &&
	{ echo +++; for l in "$@"; do echo "$l"; done; echo +++; echo; echo "Body of $p."; } >"$p"
}

test_expect_success 'the Rust blog: content/*.md and content/*/index.md with path' '
	new_repo rust &&
	cat >config.toml <<-\EOT &&
	base_url = "https://blog.rust-lang.org"
	title = "Rust Blog"
	[markdown]
	highlight_code = true
	EOT
	page content/_index.md "title = \"Rust Blog\"" &&
	page content/1.94.1-release.md "title = \"Announcing Rust 1.94.1\"" \
		"date = 2026-03-26" "path = \"2026/03/26/1.94.1-release\"" &&
	page content/Project-Goals-2025/index.md "title = \"Goals\"" \
		"date = 2025-03-03T12:00:00+01:00" "path = \"/2025/03/03/Project-Goals-2025\"" &&
	page content/inside-rust/_index.md "title = \"Inside Rust\"" &&
	page content/inside-rust/2024-01-02-compiler-team.md "title = \"Compiler team\"" &&
	page content/2023-05-06_under_score.md "title = \"Under\"" &&
	page "content/inside-rust/Héllo World 1.2.md" "title = \"Hello\"" "date = 2024-02-03 10:00:00" &&
	page content/inside-rust/sluggy.md "title = \"Sluggy\"" "date = 2024-02-04" "slug = \"My Slug!\"" &&
	page content/inside-rust/2024-02-05-bundle/index.md "title = \"Bundle\"" &&
	page content/later.md "title = \"Later\"" "date = 2099-01-01" &&
	page content/wip.md "title = \"WIP\"" "date = 2024-01-01" "draft = true" &&
	page content/undated.md "title = \"Undated\"" &&
	commit_all "rust blog" &&
	expect_fields state,path,url,date --all --drafts <<-\EOT
	published	content/1.94.1-release.md	https://blog.rust-lang.org/2026/03/26/1.94.1-release/	2026-03-26T00:00:00Z
	published	content/2023-05-06_under_score.md	https://blog.rust-lang.org/under-score/	2023-05-06T00:00:00Z
	published	content/Project-Goals-2025/index.md	https://blog.rust-lang.org/2025/03/03/Project-Goals-2025/	2025-03-03T11:00:00Z
	published	content/inside-rust/2024-01-02-compiler-team.md	https://blog.rust-lang.org/inside-rust/compiler-team/	2024-01-02T00:00:00Z
	published	content/inside-rust/2024-02-05-bundle/index.md	https://blog.rust-lang.org/inside-rust/bundle/	2024-02-05T00:00:00Z
	published	content/inside-rust/Héllo World 1.2.md	https://blog.rust-lang.org/inside-rust/hello-world-1-2/	2024-02-03T10:00:00Z
	published	content/inside-rust/sluggy.md	https://blog.rust-lang.org/inside-rust/my-slug/	2024-02-04T00:00:00Z
	published	content/later.md	https://blog.rust-lang.org/later/	2099-01-01T00:00:00Z
	published	content/undated.md	https://blog.rust-lang.org/undated/	null
	draft	content/wip.md	https://blog.rust-lang.org/wip/	2024-01-01T00:00:00Z
	EOT
'

test_expect_success 'herald show knows a Zola page' '
	cd rust &&
	herald show --json content/1.94.1-release.md >"$TRASH/show.json" &&
	grep "\"url\": \"https://blog.rust-lang.org/2026/03/26/1.94.1-release/\"" "$TRASH/show.json"
'

test_expect_success 'a config.toml with [markdown] alone is Zola too (no base url: no url)' '
	new_repo nobase &&
	printf "[markdown]\nhighlight_code = true\n" >config.toml &&
	page content/a.md "title = \"A\"" "date = 2024-01-01" &&
	commit_all "zola" &&
	expect_fields path,url --all <<-\EOT
	content/a.md	null
	EOT
'

test_expect_success '.herald.yml permalink still wins' '
	cd rust &&
	printf "permalink: /p/:slug/\n" >.herald.yml &&
	commit_all "own permalink" &&
	expect_fields path,url --all <<-\EOT
	content/1.94.1-release.md	https://blog.rust-lang.org/2026/03/26/1.94.1-release/
	content/2023-05-06_under_score.md	https://blog.rust-lang.org/p/under_score/
	content/Project-Goals-2025/index.md	https://blog.rust-lang.org/2025/03/03/Project-Goals-2025/
	content/inside-rust/2024-01-02-compiler-team.md	https://blog.rust-lang.org/p/compiler-team/
	content/inside-rust/2024-02-05-bundle/index.md	https://blog.rust-lang.org/p/bundle/
	content/inside-rust/Héllo World 1.2.md	https://blog.rust-lang.org/p/H%C3%A9llo%20World%201.2/
	content/inside-rust/sluggy.md	https://blog.rust-lang.org/p/My%20Slug!/
	content/later.md	https://blog.rust-lang.org/p/later/
	content/undated.md	https://blog.rust-lang.org/p/undated/
	EOT
'

test_expect_success 'a config.yaml that is neither Hugo'"'"'s nor Zola'"'"'s leaves the generic globs' '
	new_repo other &&
	printf "lint:\n  strict: true\n" >config.yaml &&
	printf "title = \"Other\"\n" >config.toml &&
	fm posts/2024-01-01-a.md <<-\EOT &&
	title: A
	EOT
	commit_all "other tools" &&
	expect_fields path,date --all <<-\EOT
	posts/2024-01-01-a.md	2024-01-01T00:00:00Z
	EOT
'

test_expect_success 'multilingual pages: content/foo.fr.md is /fr/foo/, the default language has no prefix' '
	new_repo multi &&
	cat >config.toml <<-\EOT &&
	base_url = "https://multi.example"
	default_language = "en"
	[languages.fr]
	title = "Mon blog"
	[languages.it]
	EOT
	page content/an-article.md "title = \"EN\"" "date = 2024-01-01" &&
	page content/an-article.fr.md "title = \"FR\"" "date = 2024-01-01" &&
	page content/blog/_index.it.md "title = \"Sezione\"" &&
	page content/blog/post.it.md "title = \"IT\"" "date = 2024-01-02" &&
	page content/blog/2024-01-03-dated.fr.md "title = \"Daté\"" &&
	page content/trip/index.fr.md "title = \"Voyage\"" "date = 2024-01-04" &&
	page content/own.fr.md "title = \"Own\"" "date = 2024-01-05" "path = \"special/own\"" &&
	page content/plain.en.md "title = \"Default named\"" "date = 2024-01-06" &&
	page content/other.de.md "title = \"Not a language\"" "date = 2024-01-07" &&
	commit_all "zola" &&
	expect_fields path,url,date --all <<-\EOT &&
	content/an-article.fr.md	https://multi.example/fr/an-article/	2024-01-01T00:00:00Z
	content/an-article.md	https://multi.example/an-article/	2024-01-01T00:00:00Z
	content/blog/2024-01-03-dated.fr.md	https://multi.example/fr/blog/dated/	2024-01-03T00:00:00Z
	content/blog/post.it.md	https://multi.example/it/blog/post/	2024-01-02T00:00:00Z
	content/other.de.md	https://multi.example/other-de/	2024-01-07T00:00:00Z
	content/own.fr.md	https://multi.example/special/own/	2024-01-05T00:00:00Z
	content/plain.en.md	https://multi.example/plain/	2024-01-06T00:00:00Z
	content/trip/index.fr.md	https://multi.example/fr/trip/	2024-01-04T00:00:00Z
	EOT
	new_repo multi-old &&
	printf "base_url = \"https://old.example\"\nlanguages = [{code = \"de\"}]\n" >config.toml &&
	page content/hallo.de.md "title = \"Hallo\"" "date = 2024-01-01" &&
	commit_all "zola" &&
	expect_fields path,url --all <<-\EOT
	content/hallo.de.md	https://old.example/de/hallo/
	EOT
'

test_expect_success '[slugify] paths = "safe" and "off"' '
	new_repo safe &&
	printf "base_url = \"https://safe.example\"\n[slugify]\npaths = \"safe\"\n" >config.toml &&
	page "content/Héllo World (1).md" "title = \"A\"" "date = 2024-01-01" &&
	page "content/posts/What? Now: yes..md" "title = \"B\"" "date = 2024-01-02" &&
	page content/posts/s.md "title = \"C\"" "date = 2024-01-03" "slug = \"A/B <c> d. \"" &&
	page "content/posts/2024-01-04_Dated Name.md" "title = \"D\"" &&
	commit_all "zola" &&
	expect_fields path,url --all <<-\EOT &&
	content/Héllo World (1).md	https://safe.example/H%C3%A9llo%20World%20(1)/
	content/posts/2024-01-04_Dated Name.md	https://safe.example/posts/Dated%20Name/
	content/posts/What? Now: yes..md	https://safe.example/posts/What%20Now%20yes/
	content/posts/s.md	https://safe.example/posts/AB%20c%20d/
	EOT
	new_repo off &&
	printf "base_url = \"https://off.example\"\n[slugify]\npaths = \"off\"\n" >config.toml &&
	page "content/Keep Me.md" "title = \"A\"" "date = 2024-01-01" &&
	commit_all "zola" &&
	expect_fields path,url --all <<-\EOT
	content/Keep Me.md	https://off.example/Keep%20Me/
	EOT
'

test_done
