#!/bin/sh
# Every row of the event table (ARCHITECTURE.md section 3), state rules,
# truthy/falsy spellings, date fallbacks and formats, and event order.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

test_expect_success 'absent -> published is new (full document)' '
	new_repo new &&
	write_post README.md <<-\EOT &&
	A blog.
	EOT
	commit_all "start" &&
	write_post _posts/2020-03-30-hello-world.md <<-\EOT &&
	---
	title: Hello, World
	date: 2020-03-30
	tags: [intro, meta]
	layout: post
	---

	The first paragraph
	runs over two lines.

	The second paragraph.
	EOT
	commit_all "Add hello world" &&
	expect_json t0001-new.json
'

test_expect_success 'scheduled -> published is new' '
	new_repo sched-pub &&
	fm _posts/later.md <<-\EOT &&
	title: Later
	date: 2027-01-01
	EOT
	commit_all "schedule" &&
	expect_events <<-\EOT &&
	scheduled _posts/later.md
	EOT
	sed -i "s/^date: .*/date: 2020-03-30/" _posts/later.md &&
	commit_all "publish now" &&
	expect_events <<-\EOT
	new _posts/later.md
	EOT
'

test_expect_success 'draft -> published by removing draft: true is undrafted' '
	new_repo undraft &&
	fm _posts/2020-03-30-x.md <<-\EOT &&
	title: X
	draft: true
	EOT
	commit_all "draft" &&
	expect_events <<-\EOT &&
	EOT
	sed -i "/^draft:/d" _posts/2020-03-30-x.md &&
	commit_all "undraft" &&
	efields type,path,from_path,state,title,date >"$TRASH/actual" &&
	printf "undrafted\t_posts/2020-03-30-x.md\tnull\tpublished\tX\t2020-03-30T00:00:00Z\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success '_drafts/x.md -> _posts/2020-03-30-x.md is undrafted with from_path' '
	new_repo undraft-move &&
	fm _drafts/x.md <<-\EOT &&
	title: X
	EOT
	commit_all "draft" &&
	mkdir _posts &&
	git mv _drafts/x.md _posts/2020-03-30-x.md &&
	commit_all "publish x" &&
	efields type,path,from_path,state,date >"$TRASH/actual" &&
	printf "undrafted\t_posts/2020-03-30-x.md\t_drafts/x.md\tpublished\t2020-03-30T00:00:00Z\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'published moved to another path is moved (full document)' '
	new_repo moved &&
	fm _posts/2020-03-30-moving.md <<-\EOT &&
	title: Moving
	date: 2020-03-30
	EOT
	commit_all "add" &&
	mkdir -p blog/2020 &&
	git mv _posts/2020-03-30-moving.md blog/2020/moving.md &&
	sed -i -e "s/^title: Moving/title: Moved/" -e "s/^Last paragraph/Final paragraph/" blog/2020/moving.md &&
	commit_all "Move to blog/" &&
	expect_json t0001-moved.json
'

test_expect_success 'a pure move has no changes and body_changed false' '
	new_repo moved-pure &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	commit_all "add" &&
	mkdir -p _posts/2020 &&
	git mv _posts/2020-03-30-a.md _posts/2020/2020-03-30-a.md &&
	commit_all "file by year" &&
	efields type,path,from_path,changes,body_changed >"$TRASH/actual" &&
	printf "moved\t_posts/2020/2020-03-30-a.md\t_posts/2020-03-30-a.md\t[]\tfalse\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'published edited is updated with sorted changes (full document)' '
	new_repo updated &&
	write_post _posts/2020-03-30-edit-me.md <<-\EOT &&
	---
	title: Edit me
	date: 2020-03-30
	layout: post
	tags: [a]
	order: 1
	---

	Body.
	EOT
	commit_all "add" &&
	write_post _posts/2020-03-30-edit-me.md <<-\EOT &&
	---
	title: Edited
	date: 2020-03-30
	tags: [a, b]
	order: "1"
	image: /img/x.png
	---

	Body, edited.
	EOT
	commit_all "Edit the post" &&
	expect_json t0001-updated.json
'

test_expect_success 'a body-only edit is updated with no changes and body_changed true' '
	new_repo body-only &&
	fm _posts/2020-03-30-b.md <<-\EOT &&
	title: B
	EOT
	commit_all "add" &&
	echo "One more line." >>_posts/2020-03-30-b.md &&
	commit_all "append" &&
	efields type,path,changes,body_changed >"$TRASH/actual" &&
	printf "updated\t_posts/2020-03-30-b.md\t[]\ttrue\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

# A base of five published posts for the published -> X rows.
make_published_base() {
	new_repo "$1" &&
	for n in draft pubfalse future gone keep
	do
		fm _posts/2020-03-30-$n.md <<-EOT || return 1
		title: Post $n
		date: 2020-03-30
		EOT
	done &&
	commit_all "five posts"
}

test_expect_success 'published -> draft: true is unpublished' '
	make_published_base unpub-draft &&
	sed -i "s/^date:.*/&\ndraft: true/" _posts/2020-03-30-draft.md &&
	commit_all "hide" &&
	efields type,path,state >"$TRASH/actual" &&
	printf "unpublished\t_posts/2020-03-30-draft.md\tdraft\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'published -> published: false is unpublished' '
	make_published_base unpub-false &&
	sed -i "s/^date:.*/&\npublished: false/" _posts/2020-03-30-pubfalse.md &&
	commit_all "hide" &&
	efields type,path,state >"$TRASH/actual" &&
	printf "unpublished\t_posts/2020-03-30-pubfalse.md\tdraft\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'published -> future date is unpublished' '
	make_published_base unpub-future &&
	sed -i "s/^date:.*/date: 2027-01-01/" _posts/2020-03-30-future.md &&
	commit_all "postpone" &&
	efields type,path,state,date >"$TRASH/actual" &&
	printf "unpublished\t_posts/2020-03-30-future.md\tscheduled\t2027-01-01T00:00:00Z\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'published deleted is deleted' '
	make_published_base deleted &&
	git rm -q _posts/2020-03-30-gone.md &&
	commit_all "remove" &&
	efields type,path,from_path,state,title >"$TRASH/actual" &&
	printf "deleted\t_posts/2020-03-30-gone.md\tnull\tabsent\tPost gone\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'absent -> future date is scheduled' '
	new_repo scheduled &&
	fm _posts/soon.md <<-\EOT &&
	title: Soon
	date: 2027-01-01
	EOT
	commit_all "schedule" &&
	efields type,path,state,date >"$TRASH/actual" &&
	printf "scheduled\t_posts/soon.md\tscheduled\t2027-01-01T00:00:00Z\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'draft -> future date is scheduled' '
	new_repo draft-sched &&
	fm _posts/soon.md <<-\EOT &&
	title: Soon
	draft: true
	date: 2027-01-01
	EOT
	commit_all "draft" &&
	sed -i "/^draft:/d" _posts/soon.md &&
	commit_all "schedule" &&
	expect_events <<-\EOT
	scheduled _posts/soon.md
	EOT
'

test_expect_success 'draft edited: no event, draft event with --drafts' '
	new_repo draft-edit &&
	fm _drafts/idea.md <<-\EOT &&
	title: Idea
	EOT
	commit_all "idea" &&
	sed -i "s/^title: Idea/title: Better idea/" _drafts/idea.md &&
	commit_all "rework" &&
	expect_events <<-\EOT &&
	EOT
	efields type,path,state,title --drafts >"$TRASH/actual" &&
	printf "draft\t_drafts/idea.md\tdraft\tBetter idea\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'absent -> draft is a draft event only with --drafts' '
	cd "$TRASH/draft-edit" &&
	expect_events --all HEAD~1 &&
	expect_events --drafts --all HEAD~1 <<-\EOT
	draft _drafts/idea.md
	EOT
'

test_expect_success 'reformatting YAML (quotes, flow/block lists, key order) is no event' '
	new_repo reformat &&
	write_post _posts/2020-03-30-same.md <<-\EOT &&
	---
	title: Same
	date: 2020-03-30
	tags: [a, b]
	order: 3
	draft: false
	meta: {x: 1, y: two}
	---

	Body.
	EOT
	commit_all "add" &&
	write_post _posts/2020-03-30-same.md <<-\EOT &&
	---
	meta:
	  y: "two"
	  x: 1
	draft: false
	order: 3
	tags:
	  - "a"
	  - '"'"'b'"'"'
	date: "2020-03-30"
	title: '"'"'Same'"'"'
	---

	Body.
	EOT
	commit_all "reformat" &&
	expect_events &&
	expect_events --drafts
'

test_expect_success 'typing: 1 and "1" differ, true and "true" differ' '
	new_repo typing &&
	fm _posts/2020-03-30-t.md <<-\EOT &&
	title: T
	order: 1
	pinned: true
	EOT
	commit_all "add" &&
	sed -i -e "s/^order: 1/order: \"1\"/" -e "s/^pinned: true/pinned: \"true\"/" _posts/2020-03-30-t.md &&
	commit_all "quote" &&
	efields type,changes >"$TRASH/actual" &&
	printf "updated\t%s\n" '"'"'[{"after":"1","before":1,"field":"order"},{"after":"true","before":true,"field":"pinned"}]'"'"' >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'truthy and falsy spellings of draft and published' '
	new_repo truthy &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	draft: yes
	EOT
	fm _posts/2020-03-30-b.md <<-\EOT &&
	draft: "True"
	EOT
	fm _posts/2020-03-30-c.md <<-\EOT &&
	published: off
	EOT
	fm _posts/2020-03-30-d.md <<-\EOT &&
	draft: 0
	EOT
	fm _posts/2020-03-30-e.md <<-\EOT &&
	published: '"'"'NO'"'"'
	EOT
	fm _posts/2020-03-30-f.md <<-\EOT &&
	draft: On
	EOT
	fm _posts/2020-03-30-g.md <<-\EOT &&
	draft: 1
	EOT
	fm _posts/2020-03-30-h.md <<-\EOT &&
	draft: "no"
	published: YES
	EOT
	fm _posts/2020-03-30-i.md <<-\EOT &&
	draft: FALSE
	published: 1
	EOT
	commit_all "spellings" &&
	expect_events <<-\EOT &&
	new _posts/2020-03-30-d.md
	new _posts/2020-03-30-h.md
	new _posts/2020-03-30-i.md
	EOT
	expect_events --drafts <<-\EOT
	new _posts/2020-03-30-d.md
	new _posts/2020-03-30-h.md
	new _posts/2020-03-30-i.md
	draft _posts/2020-03-30-a.md
	draft _posts/2020-03-30-b.md
	draft _posts/2020-03-30-c.md
	draft _posts/2020-03-30-e.md
	draft _posts/2020-03-30-f.md
	draft _posts/2020-03-30-g.md
	EOT
'

test_expect_success 'future: true in .herald.yml publishes future-dated posts' '
	new_repo future &&
	fm _posts/2030-01-01-ahead.md <<-\EOT &&
	title: Ahead
	date: 2030-01-01
	EOT
	commit_all "future post" &&
	expect_events <<-\EOT &&
	scheduled _posts/2030-01-01-ahead.md
	EOT
	printf "future: true\n" >.herald.yml &&
	commit_all "config" &&
	expect_events --all <<-\EOT &&
	new _posts/2030-01-01-ahead.md
	EOT
	efields state,date --all >"$TRASH/actual" &&
	printf "published\t2030-01-01T00:00:00Z\n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'date fallbacks: publishDate > date > published_date > file name' '
	new_repo date-fallback &&
	fm _posts/2020-04-04-p1.md <<-\EOT &&
	publishDate: 2020-01-01
	date: 2020-02-02
	published_date: 2020-03-03
	EOT
	fm _posts/2020-04-04-p2.md <<-\EOT &&
	date: 2020-02-02
	published_date: 2020-03-03
	EOT
	fm _posts/2020-04-04-p3.md <<-\EOT &&
	published_date: 2020-03-03
	EOT
	fm _posts/2020-04-04-p4.md <<-\EOT &&
	title: only the file name
	EOT
	fm _posts/2020-04-04-p5.md <<-\EOT &&
	publishDate: 2030-01-01
	date: 2020-02-02
	EOT
	fm _posts/2030-01-01-p6.md <<-\EOT &&
	date: 2020-02-02
	EOT
	fm _posts/p7.md <<-\EOT &&
	title: no date at all
	EOT
	commit_all "dates" &&
	efields type,path,state,date >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	new	_posts/2020-04-04-p1.md	published	2020-01-01T00:00:00Z
	new	_posts/2020-04-04-p2.md	published	2020-02-02T00:00:00Z
	new	_posts/2020-04-04-p3.md	published	2020-03-03T00:00:00Z
	new	_posts/2020-04-04-p4.md	published	2020-04-04T00:00:00Z
	new	_posts/2030-01-01-p6.md	published	2020-02-02T00:00:00Z
	new	_posts/p7.md	published	null
	scheduled	_posts/2020-04-04-p5.md	scheduled	2030-01-01T00:00:00Z
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'date formats, zones, and the instant now itself' '
	new_repo date-formats &&
	fm _posts/f1.md <<-\EOT &&
	date: 2020-03-30
	EOT
	fm _posts/f2.md <<-\EOT &&
	date: 2020-03-30 10:00:00 +0530
	EOT
	fm _posts/f3.md <<-\EOT &&
	date: 2020-03-30T10:00:00Z
	EOT
	fm _posts/f4.md <<-\EOT &&
	date: 2020-03-30 10:00:00
	EOT
	fm _posts/f5.md <<-\EOT &&
	date: 2020-03-30T10:00:00+02:00
	EOT
	fm _posts/f6.md <<-\EOT &&
	date: 2026-11-26 01:00:00 +0200
	EOT
	fm _posts/f7.md <<-\EOT &&
	date: 2026-11-25 23:00:00 -0200
	EOT
	fm _posts/f8.md <<-\EOT &&
	date: 2026-11-26
	EOT
	fm _posts/f9.md <<-\EOT &&
	date: 2026-11-26T00:00:01Z
	EOT
	commit_all "dates" &&
	efields type,path,date >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	new	_posts/f1.md	2020-03-30T00:00:00Z
	new	_posts/f2.md	2020-03-30T04:30:00Z
	new	_posts/f3.md	2020-03-30T10:00:00Z
	new	_posts/f4.md	2020-03-30T10:00:00Z
	new	_posts/f5.md	2020-03-30T08:00:00Z
	new	_posts/f6.md	2026-11-25T23:00:00Z
	new	_posts/f8.md	2026-11-26T00:00:00Z
	scheduled	_posts/f7.md	2026-11-26T01:00:00Z
	scheduled	_posts/f9.md	2026-11-26T00:00:01Z
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'several events in one range come in table order, then by path' '
	new_repo order &&
	fm _posts/2020-03-30-upd.md <<-\EOT &&
	title: U
	EOT
	fm _posts/2020-03-30-a-unpub.md <<-\EOT &&
	title: Unpub
	EOT
	fm _posts/2020-03-30-0-gone.md <<-\EOT &&
	title: Gone
	EOT
	fm _posts/2020-03-30-mover.md <<-\EOT &&
	title: Mover
	EOT
	fm _drafts/zz.md <<-\EOT &&
	title: ZZ
	EOT
	fm _drafts/aa.md <<-\EOT &&
	title: AA
	EOT
	fm _drafts/edit.md <<-\EOT &&
	title: Edit
	EOT
	commit_all "base" &&
	fm _posts/2020-03-30-z-new.md <<-\EOT &&
	title: Z
	EOT
	fm _posts/2020-03-30-b-new.md <<-\EOT &&
	title: B
	EOT
	fm _posts/0-later.md <<-\EOT &&
	date: 2030-01-01
	EOT
	git mv _drafts/zz.md _posts/2020-03-30-zz.md &&
	git mv _drafts/aa.md _posts/2020-03-30-aa.md &&
	mkdir archive &&
	git mv _posts/2020-03-30-mover.md _posts/archive-2020-03-30-mover.md &&
	echo more >>_posts/2020-03-30-upd.md &&
	sed -i "s/^title: Unpub/&\ndraft: true/" _posts/2020-03-30-a-unpub.md &&
	git rm -q _posts/2020-03-30-0-gone.md &&
	echo more >>_drafts/edit.md &&
	commit_all "everything at once" &&
	cat >"$TRASH/expect.all" <<-\EOT &&
	new _posts/2020-03-30-b-new.md
	new _posts/2020-03-30-z-new.md
	undrafted _posts/2020-03-30-aa.md < _drafts/aa.md
	undrafted _posts/2020-03-30-zz.md < _drafts/zz.md
	moved _posts/archive-2020-03-30-mover.md < _posts/2020-03-30-mover.md
	updated _posts/2020-03-30-upd.md
	unpublished _posts/2020-03-30-a-unpub.md
	deleted _posts/2020-03-30-0-gone.md
	scheduled _posts/0-later.md
	draft _drafts/edit.md
	EOT
	grep -v "^draft " "$TRASH/expect.all" | expect_events &&
	expect_events --drafts <"$TRASH/expect.all" &&
	cp "$TRASH/scan.json" "$TRASH/first.json" &&
	scan --drafts &&
	cmp "$TRASH/first.json" "$TRASH/scan.json"
'

test_expect_success 'published moved into _drafts/ is unpublished with from_path' '
	make_published_base unpub-move &&
	mkdir _drafts &&
	git mv _posts/2020-03-30-keep.md _drafts/keep.md &&
	commit_all "back to drafts" &&
	expect_events <<-\EOT
	unpublished _drafts/keep.md < _posts/2020-03-30-keep.md
	EOT
'

test_expect_success 'published moved and postponed is unpublished with from_path' '
	make_published_base unpub-move-future &&
	mkdir -p _posts/later &&
	git mv _posts/2020-03-30-keep.md _posts/later/keep.md &&
	sed -i "s/^date:.*/date: 2030-01-01/" _posts/later/keep.md &&
	commit_all "postpone" &&
	expect_fields type,path,from_path,state <<-\EOT
	unpublished	_posts/later/keep.md	_posts/2020-03-30-keep.md	scheduled
	EOT
'

test_expect_success 'scheduled edited or deleted: draft events, only with --drafts' '
	new_repo sched-edit &&
	fm _posts/a.md <<-\EOT &&
	title: A
	date: 2030-01-01
	EOT
	fm _posts/b.md <<-\EOT &&
	title: B
	date: 2030-01-01
	EOT
	fm _posts/c.md <<-\EOT &&
	title: C
	date: 2030-01-01
	EOT
	commit_all "scheduled" &&
	sed -i "s/^title: A/title: A2/" _posts/a.md &&
	git rm -q _posts/b.md &&
	sed -i "s/^date:.*/&\ndraft: true/" _posts/c.md &&
	commit_all "edit, drop, hide" &&
	expect_events &&
	expect_fields type,path,state --drafts <<-\EOT
	draft	_posts/a.md	scheduled
	draft	_posts/b.md	absent
	draft	_posts/c.md	draft
	EOT
'

test_expect_success 'draft wins over a future date, and _drafts/ wins over published: true' '
	new_repo draft-wins &&
	fm _posts/future-draft.md <<-\EOT &&
	date: 2030-01-01
	draft: true
	EOT
	fm _drafts/pub.md <<-\EOT &&
	published: true
	EOT
	commit_all "drafts" &&
	expect_events &&
	expect_fields type,path,state --drafts <<-\EOT
	draft	_drafts/pub.md	draft
	draft	_posts/future-draft.md	draft
	EOT
'

test_expect_success 'both snapshots use the same now: an untouched post whose date passed is no event' '
	new_repo same-now &&
	fm _posts/timed.md <<-\EOT &&
	title: Timed
	date: 2026-06-01
	EOT
	commit_all "timed" &&
	echo "other" >README &&
	commit_all "unrelated" &&
	expect_events &&
	expect_events --drafts &&
	expect_fields type,state --now 2026-05-01T00:00:00Z --all HEAD~1 <<-\EOT
	scheduled	scheduled
	EOT
'

test_expect_success 'mode change only is no event; CRLF conversion of the body is updated' '
	new_repo bytes &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	commit_all "a" &&
	chmod +x _posts/2020-03-30-a.md &&
	commit_all "chmod" &&
	test "$(git diff --name-only HEAD~1 HEAD)" = _posts/2020-03-30-a.md &&
	expect_events &&
	sed -i "s/\$/\r/" _posts/2020-03-30-a.md &&
	commit_all "crlf" &&
	expect_fields type,changes,body_changed <<-\EOT
	updated	[]	true
	EOT
'

test_expect_success 'summary: description, else summary, else the first paragraph as plain text' '
	new_repo summary &&
	write_post _posts/2020-03-30-desc.md <<-\EOT &&
	---
	description: From the description.
	---

	Not this.
	EOT
	write_post _posts/2020-03-30-summ.md <<-\EOT &&
	---
	summary: From the summary.
	---

	Not this.
	EOT
	write_post _posts/2020-03-30-para.md <<-\EOT &&
	---
	title: Para
	---
	# A heading is not a paragraph

	The **first** paragraph, with a [link](https://example.com/) and `code`
	and *emphasis*.

	---

	After a rule.
	EOT
	commit_all "summaries" &&
	expect_fields path,summary <<-\EOT
	_posts/2020-03-30-desc.md	From the description.
	_posts/2020-03-30-para.md	The first paragraph, with a link and code and emphasis.
	_posts/2020-03-30-summ.md	From the summary.
	EOT
'

test_expect_success 'title, slug and tags: front matter, else the file name' '
	new_repo names &&
	fm _posts/2020-03-30-from-file.md <<-\EOT &&
	tags: solo
	EOT
	fm _posts/2020-03-30-other.md <<-\EOT &&
	title: "Café ☕: ünïcode"
	slug: chosen
	tags: [a, "b c"]
	EOT
	commit_all "names" &&
	expect_fields path,slug,title,tags <<-\EOT
	_posts/2020-03-30-from-file.md	from-file	from-file	["solo"]
	_posts/2020-03-30-other.md	chosen	Café ☕: ünïcode	["a","b c"]
	EOT
'

test_done
