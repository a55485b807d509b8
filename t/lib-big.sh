# A store with big messages, for the streaming tests and the load bench:
# sourced after lib.sh and lib-imapd.sh.
#
#   big_store DEST   mailbox "big": UID 1 a 20 MB message (a short text
#                    part and a 15 MiB attachment in base64), UIDs 2-4
#                    small ones; prints "big<TAB>4" as mkstore does
#   big_attachment   the path of the attachment's decoded bytes (after
#                    big_store), to compare a part's download with

big_store() {
	_big_src=$TEST_TMP/big-src
	mkdir -p "$_big_src" || return 1
	python3 - "$_big_src" <<-'EOF' || return 1
	import base64, os, sys
	src = sys.argv[1]
	# 15 MiB that do not compress to nothing: a simple generator's bytes.
	state = 12345
	chunks = []
	for _ in range(15 * 16):
	    block = bytearray(65536)
	    for i in range(0, 65536, 4):
	        state = (state * 1103515245 + 12345) & 0xFFFFFFFF
	        block[i:i + 4] = state.to_bytes(4, "little")
	    chunks.append(bytes(block))
	attachment = b"".join(chunks)
	open(os.path.join(src, "attachment.bin"), "wb").write(attachment)
	encoded = base64.encodebytes(attachment).replace(b"\n", b"\r\n")
	head = (b"From: Big Sender <big@example.org>\r\n"
	        b"To: list@example.org\r\n"
	        b"Subject: a message of 20 MB\r\n"
	        b"Date: Mon, 02 Mar 2020 10:00:00 +0000\r\n"
	        b"Message-ID: <big-1@example.org>\r\n"
	        b"MIME-Version: 1.0\r\n"
	        b"Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
	        b"--b0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
	        b"The attachment is big.\r\n\r\n"
	        b"--b0\r\nContent-Type: application/octet-stream\r\n"
	        b"Content-Disposition: attachment; filename=\"big.bin\"\r\n"
	        b"Content-Transfer-Encoding: base64\r\n\r\n")
	os.mkdir(os.path.join(src, "msgs"))
	with open(os.path.join(src, "msgs", "1"), "wb") as f:
	    f.write(head + encoded + b"\r\n--b0--\r\n")
	for uid in (2, 3, 4):
	    with open(os.path.join(src, "msgs", str(uid)), "wb") as f:
	        f.write(b"From: small%d@example.org\r\nSubject: small %d\r\n"
	                b"Date: Mon, 02 Mar 2020 1%d:00:00 +0000\r\n"
	                b"Message-ID: <small-%d@example.org>\r\n\r\nsmall\r\n"
	                % (uid, uid, uid, uid))
	EOF
	mkstore "$1" "big=$_big_src/msgs"
}

big_attachment() {
	printf '%s\n' "$TEST_TMP/big-src/attachment.bin"
}
