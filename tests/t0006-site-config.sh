#!/bin/sh
# Site configuration: .herald.yml (base_url, permalink, posts, drafts,
# fields, future), Jekyll's _config.yml, git config herald.posts, --posts.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# two_posts: a post with categories and one without.
two_posts() {
	fm _posts/2020-03-30-hello-world.md <<-\EOT &&
	title: Something Else Entirely
	categories: [tech, c]
	EOT
	fm _posts/2020-03-31-plain.md <<-\EOT
	title: Plain
	slug: custom-slug
	EOT
}

test_expect_success 'no config: url is null' '
	new_repo none &&
	two_posts &&
	commit_all "posts" &&
	expect_fields path,url <<-\EOT
	_posts/2020-03-30-hello-world.md	null
	_posts/2020-03-31-plain.md	null
	EOT
'

test_expect_success '.herald.yml base_url with the default permalink /:year/:month/:day/:slug/' '
	new_repo herald-default &&
	two_posts &&
	printf "title: My Blog\nbase_url: https://blog.example.com\n" >.herald.yml &&
	commit_all "posts" &&
	expect_fields path,slug,url <<-\EOT
	_posts/2020-03-30-hello-world.md	hello-world	https://blog.example.com/2020/03/30/hello-world/
	_posts/2020-03-31-plain.md	custom-slug	https://blog.example.com/2020/03/31/custom-slug/
	EOT
'

test_expect_success '.herald.yml base_url + permalink' '
	new_repo herald-permalink &&
	two_posts &&
	printf "base_url: https://example.com/blog\npermalink: /:categories/:year/:slug.html\n" >.herald.yml &&
	commit_all "posts" &&
	expect_fields path,url <<-\EOT
	_posts/2020-03-30-hello-world.md	https://example.com/blog/tech/c/2020/hello-world.html
	_posts/2020-03-31-plain.md	https://example.com/blog/2020/custom-slug.html
	EOT
'

test_expect_success '.herald.yml base_url with a trailing slash makes no double slash' '
	new_repo herald-slash &&
	two_posts &&
	printf "base_url: https://example.com/\npermalink: /posts/:slug/\n" >.herald.yml &&
	commit_all "posts" &&
	expect_fields path,url <<-\EOT
	_posts/2020-03-30-hello-world.md	https://example.com/posts/hello-world/
	_posts/2020-03-31-plain.md	https://example.com/posts/custom-slug/
	EOT
'

test_expect_success 'Jekyll _config.yml: url + baseurl + permalink with :categories and :title' '
	new_repo jekyll &&
	two_posts &&
	cat >_config.yml <<-\EOT &&
	title: A Jekyll site
	url: https://user.github.io
	baseurl: /blog
	permalink: /:categories/:year/:month/:day/:title.html
	EOT
	commit_all "posts" &&
	expect_fields path,url <<-\EOT
	_posts/2020-03-30-hello-world.md	https://user.github.io/blog/tech/c/2020/03/30/hello-world.html
	_posts/2020-03-31-plain.md	https://user.github.io/blog/2020/03/31/custom-slug.html
	EOT
'

test_expect_success 'Jekyll _config.yml without permalink: the Jekyll default, no baseurl' '
	new_repo jekyll-default &&
	two_posts &&
	printf "url: https://user.github.io\n" >_config.yml &&
	commit_all "posts" &&
	expect_fields path,url <<-\EOT
	_posts/2020-03-30-hello-world.md	https://user.github.io/tech/c/2020/03/30/hello-world.html
	_posts/2020-03-31-plain.md	https://user.github.io/2020/03/31/custom-slug.html
	EOT
'

test_expect_success '.herald.yml wins over _config.yml' '
	new_repo both &&
	two_posts &&
	printf "url: https://jekyll.example\n" >_config.yml &&
	printf "base_url: https://herald.example\npermalink: /:slug/\n" >.herald.yml &&
	commit_all "posts" &&
	expect_fields path,url <<-\EOT
	_posts/2020-03-30-hello-world.md	https://herald.example/hello-world/
	_posts/2020-03-31-plain.md	https://herald.example/custom-slug/
	EOT
'

test_expect_success 'the config of TO is used for the whole range' '
	cd "$TRASH/none" &&
	echo "more" >>_posts/2020-03-30-hello-world.md &&
	printf "base_url: https://late.example\npermalink: /:slug/\n" >.herald.yml &&
	commit_all "config arrives" &&
	expect_fields type,path,url <<-\EOT
	updated	_posts/2020-03-30-hello-world.md	https://late.example/hello-world/
	EOT
'

# globs_repo NAME: posts in several folders, and .herald.yml posts globs.
globs_repo() {
	new_repo "$1" &&
	for d in _posts articles notes journal diary
	do
		fm $d/2020-03-30-in-$d.md <<-EOT || return 1
		title: In $d
		EOT
	done &&
	printf "posts:\n  - \"articles/**/*.md\"\n" >.herald.yml &&
	commit_all "posts everywhere"
}

test_expect_success '.herald.yml posts: replaces the default globs' '
	globs_repo globs &&
	expect_events <<-\EOT
	new articles/2020-03-30-in-articles.md
	EOT
'

test_expect_success 'git config herald.posts (multi-valued) overrides the config globs' '
	cd "$TRASH/globs" &&
	git config --add herald.posts "notes/*.md" &&
	git config --add herald.posts "journal/*.md" &&
	expect_events <<-\EOT
	new journal/2020-03-30-in-journal.md
	new notes/2020-03-30-in-notes.md
	EOT
'

test_expect_success '--posts (repeatable) wins over both' '
	cd "$TRASH/globs" &&
	expect_events --posts "diary/*.md" <<-\EOT &&
	new diary/2020-03-30-in-diary.md
	EOT
	expect_events --posts "diary/*.md" --posts "_posts/**" <<-\EOT
	new _posts/2020-03-30-in-_posts.md
	new diary/2020-03-30-in-diary.md
	EOT
'

test_expect_success 'globs are anchored at the root, **/ matches any folders' '
	new_repo anchored &&
	fm deep/blog/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	fm blog/2020-03-30-b.md <<-\EOT &&
	title: B
	EOT
	fm x/_posts/y/2020-03-30-c.md <<-\EOT &&
	title: C
	EOT
	commit_all "posts" &&
	expect_events <<-\EOT
	new blog/2020-03-30-b.md
	new x/_posts/y/2020-03-30-c.md
	EOT
'

test_expect_success 'custom drafts folder' '
	new_repo drafts-folder &&
	printf "posts: [\"posts/**/*.md\"]\ndrafts: [wip]\n" >.herald.yml &&
	fm posts/wip/idea.md <<-\EOT &&
	title: Idea
	date: 2020-03-30
	EOT
	commit_all "idea" &&
	expect_events &&
	expect_events --drafts <<-\EOT &&
	draft posts/wip/idea.md
	EOT
	git mv posts/wip/idea.md posts/idea.md &&
	commit_all "publish" &&
	expect_events <<-\EOT
	undrafted posts/idea.md < posts/wip/idea.md
	EOT
'

test_expect_success 'custom field names: draft, date' '
	new_repo fields &&
	cat >.herald.yml <<-\EOT &&
	fields:
	  draft: hidden
	  date: [pubDate]
	EOT
	fm _posts/hidden.md <<-\EOT &&
	title: Hidden
	hidden: true
	EOT
	fm _posts/later.md <<-\EOT &&
	title: Later
	pubDate: 2030-01-01
	EOT
	fm _posts/dated.md <<-\EOT &&
	title: Dated
	pubDate: 2020-01-02
	EOT
	commit_all "posts" &&
	expect_fields type,path,state,date --drafts <<-\EOT &&
	new	_posts/dated.md	published	2020-01-02T00:00:00Z
	scheduled	_posts/later.md	scheduled	2030-01-01T00:00:00Z
	draft	_posts/hidden.md	draft	null
	EOT
	sed -i "/^hidden:/d" _posts/hidden.md &&
	commit_all "unhide" &&
	expect_events <<-\EOT
	undrafted _posts/hidden.md
	EOT
'

test_expect_success 'custom field names: published, title, summary' '
	new_repo fields2 &&
	cat >.herald.yml <<-\EOT &&
	fields:
	  published: visible
	  title: headline
	  summary: [teaser]
	EOT
	fm _posts/2020-03-30-shown.md <<-\EOT &&
	headline: The headline
	title: Not this
	teaser: The teaser.
	description: Not this either.
	EOT
	fm _posts/2020-03-30-invisible.md <<-\EOT &&
	headline: Invisible
	visible: false
	EOT
	commit_all "posts" &&
	expect_fields type,path,title,summary --drafts <<-\EOT
	new	_posts/2020-03-30-shown.md	The headline	The teaser.
	draft	_posts/2020-03-30-invisible.md	Invisible	First paragraph of _posts/2020-03-30-invisible.md.
	EOT
'

test_expect_success 'future: true publishes future-dated posts' '
	new_repo future &&
	printf "future: true\nbase_url: https://f.example\n" >.herald.yml &&
	fm _posts/2030-01-01-ahead.md <<-\EOT &&
	title: Ahead
	EOT
	commit_all "ahead" &&
	expect_fields type,path,state,date,url <<-\EOT
	new	_posts/2030-01-01-ahead.md	published	2030-01-01T00:00:00Z	https://f.example/2030/01/01/ahead/
	EOT
'

test_expect_success 'default globs and endings' '
	new_repo defaults &&
	for p in _posts/a.md x/_posts/b.markdown posts/c.mdx blog/d.html \
		content/en/posts/e.md content/blog/f.md content/x/y/blog/g.md \
		src/content/blog/h.md
	do
		fm $p <<-EOT || return 1
		title: $p
		EOT
	done &&
	for p in _posts/i.txt docs/j.md content/k.md src/blog/l.md notes/posts.md README.md _posts/m.md.bak
	do
		fm $p <<-EOT || return 1
		title: $p
		EOT
	done &&
	fm _drafts/n.md <<-\EOT &&
	title: n
	EOT
	fm x/_drafts/o.md <<-\EOT &&
	title: o
	EOT
	commit_all "everywhere" &&
	expect_events --drafts <<-\EOT
	new _posts/a.md
	new blog/d.html
	new content/blog/f.md
	new content/en/posts/e.md
	new content/x/y/blog/g.md
	new posts/c.mdx
	new src/content/blog/h.md
	new x/_posts/b.markdown
	draft _drafts/n.md
	draft x/_drafts/o.md
	EOT
'

test_expect_success 'a broken .herald.yml does not stop the scan (defaults kept)' '
	new_repo broken-config &&
	printf "title: [broken\n" >.herald.yml &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	commit_all "broken config" &&
	expect_events <<-\EOT
	new _posts/2020-03-30-a.md
	EOT
'

test_done
