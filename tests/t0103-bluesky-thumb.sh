#!/bin/sh
# kind = bluesky: the external card's thumbnail. The picture a post's
# front matter names is read from the repository at the announced commit
# (never from the network, never from the file system), kept in the queued
# entry, uploaded with com.atproto.repo.uploadBlob at send time and put in
# the record as the blob the PDS answers. A picture that is missing, too
# large, of an unknown type, outside the repository or a symbolic link
# gives a warning and a card without one; the post still goes.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"
. "$TEST_DIR/lib/pds-lib.sh"
. "$TEST_DIR/lib/push-lib.sh"

NOW=2026-11-26T00:00:00Z
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT

# post N IMAGE: a new post whose front matter names IMAGE, committed
post() {
	mkdir -p _posts &&
	printf -- "---\ntitle: Post %s\ndate: 2020-03-%02d\nimage: \"%s\"\n---\nThe body of post %s.\n" \
		"$1" "$1" "$2" "$1" >"_posts/2020-03-$(printf %02d "$1")-post-$1.md" &&
	commit_all "post $1"
}

# image FILE KIND [SIZE]: writes a picture of KIND (png jpeg webp gif text)
# padded to SIZE bytes
image() {
	python3 - "$@" <<-\PY
	import struct, sys, zlib
	path, kind = sys.argv[1], sys.argv[2]
	size = int(sys.argv[3]) if len(sys.argv) > 3 else 0
	if kind == "png":
	    def chunk(t, d):
	        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	    raw = b"".join(b"\0" + bytes((x * 7 + y) % 256 for x in range(3 * 16)) for y in range(16))
	    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
	            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
	elif kind == "jpeg":
	    data = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
	elif kind == "webp":
	    data = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
	elif kind == "gif":
	    data = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
	else:
	    data = b"not a picture at all\n"
	if size > len(data):
	    data += b"\0" * (size - len(data))
	open(path, "wb").write(data)
	PY
}

# restart ARGS...: a fresh PDS (ARGS: its --plan) and the target pointed at it; ends in blog/
restart() {
	cd "$TRASH" && stop_receiver pds && start_pds pds "$@" &&
	cd "$TRASH/blog" && git config herald.sky.url "$url"
}

# thumb_is REV:PATH: the last createRecord's card has as thumbnail the blob
# of the last uploadBlob, whose bytes (as the PDS stored them) are the
# repository's REV:PATH, sent as the type its magic bytes say with the
# session's token
thumb_is() {
	git cat-file blob "$1" >../want.bin &&
	python3 - ../pds.log ../pds.records.blobs ../want.bin <<-\PY
	import hashlib, json, os, re, sys
	reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	up = [r for r in reqs if r["path"].endswith("/com.atproto.repo.uploadBlob") and r["response"] == 200]
	cr = [r for r in reqs if r["path"].endswith("/com.atproto.repo.createRecord") and r["response"] == 200]
	want = open(sys.argv[3], "rb").read()
	u = up[-1]
	assert u["method"] == "POST", u
	assert re.fullmatch(r"Bearer acc-\d+\.A+", u["headers"]["authorization"]), u["headers"]
	magic = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif", b"RIFF": "image/webp"}
	mime = [m for k, m in magic.items() if want.startswith(k)][0]
	assert u["headers"]["content-type"] == mime, u["headers"]
	assert u["body_len"] == len(want) and u["body_sha256"] == hashlib.sha256(want).hexdigest()
	rec = json.loads(cr[-1]["body"])["record"]
	thumb = rec["embed"]["external"]["thumb"]
	assert thumb["$type"] == "blob" and thumb["mimeType"] == mime and thumb["size"] == len(want), thumb
	stored = open(os.path.join(sys.argv[2], thumb["ref"]["$link"]), "rb").read()
	assert stored == want, "the uploaded bytes differ from the repository's file"
	assert set(rec["embed"]["external"]) == {"uri", "title", "description", "thumb"}, rec["embed"]
	PY
}

# no_thumb: no uploadBlob was made, and the last record's card has no thumbnail
no_thumb() {
	python3 - ../pds.log <<-\PY
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	assert not [r for r in reqs if r["path"].endswith("/com.atproto.repo.uploadBlob")], "an upload was made"
	cr = [r for r in reqs if r["path"].endswith("/com.atproto.repo.createRecord") and r["response"] == 200]
	ext = json.loads(cr[-1]["body"])["record"]["embed"]["external"]
	assert "thumb" not in ext and ext["title"], ext
	PY
}

test_expect_success 'setup: a blog with pictures, a PDS, a bluesky target' '
	start_pds pds &&
	git init -q blog && cd blog &&
	printf "title: Test Blog\nbase_url: https://blog.example.com/blog\n" >.herald.yml &&
	mkdir -p img static/img && image img/cover.png png && image static/img/s.jpg jpeg &&
	commit_all "pictures" &&
	printf "%s\n" "$PDS_PASSWORD" >../password && chmod 600 ../password &&
	git config herald.sky.kind bluesky &&
	git config herald.sky.url "$url" &&
	git config herald.sky.handle "$PDS_HANDLE" &&
	git config herald.sky.passwordFile "$TRASH/password"
'

test_expect_success 'a site-absolute picture in the repository: uploaded, then the card has its blob' '
	cd blog &&
	post 1 /img/cover.png &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "%s\n" "POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.uploadBlob 200" \
		"POST com.atproto.repo.createRecord 200" >../want &&
	test_cmp ../want ../calls &&
	thumb_is HEAD:img/cover.png &&
	! grep warning ../err
'

test_expect_success 'an url below the base url and a static/ folder (Hugo, Zola): found there' '
	restart &&
	post 2 "https://blog.example.com/blog/img/s.jpg?v=2#top" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	thumb_is HEAD:static/img/s.jpg
'

test_expect_success 'a relative path from a post that is no bundle: beside the post, made plain' '
	restart &&
	post 23 ../img/cover.png &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	! grep warning ../err &&
	thumb_is HEAD:img/cover.png
'

test_expect_success 'a page bundle: a relative picture beside its index.md, webp and gif' '
	restart &&
	mkdir -p content/posts/trip content/posts/gif &&
	image content/posts/trip/photo.webp webp &&
	printf -- "---\ntitle: Trip\ndate: 2020-04-01\nimage: photo.webp\n---\nBody.\n" >content/posts/trip/index.md &&
	commit_all trip &&
	herald announce --posts "content/**" --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	thumb_is HEAD:content/posts/trip/photo.webp &&
	restart &&
	image content/posts/gif/a%b.gif gif &&
	printf -- "---\ntitle: Gif\ndate: 2020-04-02\nimages: [\"./a%%25b.gif\"]\n---\nBody.\n" >content/posts/gif/index.md &&
	commit_all gif &&
	herald announce --posts "content/**" --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	thumb_is "HEAD:content/posts/gif/a%b.gif"
'

test_expect_success 'the picture is kept in the queued entry: the repository moving on changes nothing' '
	restart &&
	image img/later.png png 2000 &&
	commit_all "later picture" &&
	post 3 /img/later.png &&
	herald announce --queue-only --now $NOW >../out 2>../err &&
	python3 - .git/herald/outbox <<-\PY &&
	import json, os, sys
	[f] = [f for f in os.listdir(sys.argv[1]) if f.endswith(".json")]
	e = json.load(open(os.path.join(sys.argv[1], f)))
	t = json.loads(e["body"])["embed"]["external"]["thumb"]
	assert t["$type"] == "herald#upload" and t["mimeType"] == "image/png" and t["size"] == 2000, t
	PY
	herald outbox show "$(ls .git/herald/outbox | sed -n "s/\.json$//p")" >../show 2>&1 &&
	grep "\"thumb\":{\"\$type\":\"herald#upload\",\"mimeType\":\"image/png\",\"size\":2000,\"data\":\"(2000 bytes of image/png, uploaded when sent)\"}" ../show &&
	grep "\"title\":" ../show &&
	! grep -E "[A-Za-z0-9+/]{200}" ../show &&
	keep=$(git rev-parse HEAD) &&
	git rm -q img/later.png && commit_all "picture gone" &&
	herald deliver >../out 2>../err &&
	test "$(calls ../pds.log | grep -c "uploadBlob 200")" = 1 &&
	thumb_is $keep:img/later.png
'

test_expect_success 'a retry uploads again (harmless) and the record names the blob' '
	restart --plan com.atproto.repo.createRecord=503 &&
	post 4 /img/cover.png &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 to retry" ../err &&
	herald deliver --all >../out 2>../err &&
	calls ../pds.log >../calls &&
	printf "%s\n" "POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.uploadBlob 200" \
		"POST com.atproto.repo.createRecord 503" \
		"POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.uploadBlob 200" \
		"POST com.atproto.repo.createRecord 200" >../want &&
	test_cmp ../want ../calls &&
	thumb_is HEAD:img/cover.png
'

test_expect_success 'an expired token at the upload: refreshed, then uploaded and posted' '
	restart --plan com.atproto.repo.uploadBlob=expired &&
	post 5 /img/cover.png &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	calls ../pds.log >../calls &&
	printf "%s\n" "POST com.atproto.server.createSession 200" \
		"POST com.atproto.repo.uploadBlob 400" \
		"POST com.atproto.server.refreshSession 200" \
		"POST com.atproto.repo.uploadBlob 200" \
		"POST com.atproto.repo.createRecord 200" >../want &&
	test_cmp ../want ../calls &&
	thumb_is HEAD:img/cover.png
'

test_expect_success 'a 5xx at the upload: the attempt fails and is retried whole' '
	restart --plan com.atproto.repo.uploadBlob=502 &&
	post 6 /img/cover.png &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 to retry" ../err &&
	! grep -q createRecord ../pds.log &&
	herald deliver --all >../out 2>../err &&
	thumb_is HEAD:img/cover.png
'

test_expect_success 'a picture the PDS refuses for good: posted without it, with a warning' '
	restart --plan com.atproto.repo.uploadBlob=400 &&
	post 7 /img/cover.png &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	grep "warning: target .sky.: com.atproto.repo.uploadBlob refused the thumbnail of ._posts/2020-03-07-post-7.md. (HTTP 400, Failed): posted without it" ../err &&
	python3 - ../pds.log <<-\PY
	import json, sys
	reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	cr = [r for r in reqs if r["path"].endswith("/com.atproto.repo.createRecord")]
	assert "thumb" not in json.loads(cr[-1]["body"])["record"]["embed"]["external"]
	PY
'

# refused N IMAGE MESSAGE: post N naming IMAGE goes without a thumbnail and
# without any upload, and the warning says MESSAGE
refused() {
	restart &&
	post "$1" "$2" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	grep "herald: warning: post ._posts/2020-03-$(printf %02d "$1")-post-$1.md.: its image .$2. $3: no thumbnail" ../err &&
	no_thumb
}

test_expect_success 'a picture over 1,000,000 bytes is not read: a warning, no thumbnail' '
	cd blog &&
	image img/big.png png 1000001 &&
	image img/edge.png png 1000000 &&
	commit_all "big pictures" &&
	refused 8 /img/big.png "has 1000001 bytes, more than the 1000000 a thumbnail may have" &&
	restart &&
	post 9 /img/edge.png &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	thumb_is HEAD:img/edge.png
'

test_expect_success 'a file that is no known picture type: a warning, no thumbnail' '
	cd blog &&
	image img/fake.png text &&
	commit_all "fake" &&
	refused 10 /img/fake.png "is not a png, jpeg, webp or gif image"
'

test_expect_success 'a missing picture: a warning, no thumbnail' '
	refused 11 /img/missing.png "is not a file in the repository"
'

test_expect_success 'paths outside the repository are not read' '
	refused 12 ../../etc/passwd "points outside the repository" &&
	refused 13 "/img/../../etc/passwd" "points outside the repository" &&
	refused 14 "/img/%2e%2e/%2e%2e/etc/passwd" "points outside the repository" &&
	refused 15 /etc/passwd "is not a file in the repository"
'

test_expect_success 'a symbolic link is not followed, wherever it points' '
	cd blog &&
	ln -s /etc/passwd img/passwd.png &&
	ln -s cover.png img/alias.png &&
	ln -s ../img static/linked &&
	commit_all "links" &&
	refused 17 /img/passwd.png "is a symbolic link, which is not followed" &&
	refused 18 /img/alias.png "is a symbolic link, which is not followed" &&
	refused 19 /linked/cover.png "is not a file in the repository"
'

test_expect_success 'an url elsewhere names nothing herald reads: no warning, no request' '
	restart &&
	post 20 "http://169.254.169.254/latest/meta-data/x.png" &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	! grep warning ../err &&
	no_thumb &&
	restart &&
	post 16 file:///etc/hostname &&
	herald announce --now $NOW >../out 2>../err &&
	grep "1 delivered" ../err &&
	! grep warning ../err &&
	no_thumb
'

test_expect_success 'a dry run reads no picture and shows no thumbnail' '
	cd blog &&
	post 21 /img/cover.png &&
	herald announce --dry-run --now $NOW >../out 2>../err &&
	grep "\"external\"" ../out &&
	! grep -e thumb -e "herald#upload" ../out
'

test_expect_success 'through a real push: the picture is read from the pushed commit' '
	restart &&
	git init -q --bare ../server.git &&
	install_hooks ../server.git &&
	git -C ../server.git config herald.sky.kind bluesky &&
	git -C ../server.git config herald.sky.url "$url" &&
	git -C ../server.git config herald.sky.handle "$PDS_HANDLE" &&
	git -C ../server.git config herald.sky.passwordFile "$TRASH/password" &&
	git -C ../server.git config herald.hookBudget 30 &&
	push first ../server.git HEAD:main &&
	image img/pushed.gif gif 5000 &&
	post 22 /img/pushed.gif &&
	push second ../server.git HEAD:main &&
	grep "herald: announced \"Post 22\" to sky" ../second.push &&
	thumb_is HEAD:img/pushed.gif &&
	! grep -i warning ../second.push
'

test_done
