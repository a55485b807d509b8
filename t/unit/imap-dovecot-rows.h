/*
 * Real answers of Dovecot's imap (2.3, pre-authenticated, a Maildir with
 * the MIME torture test and a few notmuch test messages), captured once
 * and pasted here as test rows for the parser and the views.
 */
#ifndef IMAPEEK_T_IMAP_DOVECOT_ROWS_H
#define IMAPEEK_T_IMAP_DOVECOT_ROWS_H

__attribute__((unused))
static const char dovecot_greeting[] =
	"* PREAUTH [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDL"
	"E SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJE"
	"CT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPL"
	"US LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRE"
	"S WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW"
	"=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY] Logged in as nob"
	"ody\r\n";

__attribute__((unused))
static const char dovecot_fetch_torture[] =
	"* 1 FETCH (UID 1 FLAGS (\\Recent) ENVELOPE (\"Mon, 6 Feb 1993 02:53:4"
	"7 -0800 (PST)\" {30}\r\n"
	"Multi-media mail demonstration ((\"Mark Crispin\" NIL \"mrc\" \"CAC.W"
	"ashington.EDU\")) ((\"Mark Crispin\" NIL \"mrc\" \"CAC.Washington.EDU"
	"\")) ((\"Mark Crispin\" NIL \"mrc\" \"CAC.Washington.EDU\")) ((NIL NI"
	"L \"MRC\" \"CAC.Washington.EDU\")) NIL NIL NIL \"<CMM.0.88.687168092."
	"mrc@akbar.cac.washington.edu> \") BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" "
	"(\"charset\" \"us-ascii\") NIL \"Explanation\" \"7bit\" 190 3 NIL NIL"
	" NIL NIL)(\"message\" \"rfc822\" NIL NIL \"Rich Text demo\" \"7bit\" "
	"4906 (\"Tue, 24 Dec 1991 08:14:27 -0500 (EST)\" \"Re: a MIME-Version "
	"misfeature\" ((\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcor"
	"e.com\")) ((\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcore.c"
	"om\")) ((\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcore.com\""
	")) ((NIL NIL \"ietf-822\" \"dimacs.rutgers.edu\")) NIL NIL NIL \"<sdJ"
	"n_nq0M2YtNKaFtO@thumper.bellcore.com>\") ((\"text\" \"plain\" (\"char"
	"set\" \"us-ascii\") NIL NIL \"7bit\" 767 16 NIL NIL NIL NIL)((\"text\""
	" \"richtext\" (\"charset\" \"us-ascii\") NIL NIL \"quoted-printable\""
	" 887 13 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"Alternative_Bounda"
	"ry_8dJn:mu0M2Yt5KaFZ8AdJn:mu0M2Yt1KaFdA\") NIL NIL NIL)(\"application"
	"\" \"andrew-inset\" NIL NIL NIL \"7bit\" 917 NIL NIL NIL NIL) \"alter"
	"native\" (\"boundary\" \"Interpart_Boundary_AdJn:mu0M2YtJKaFh9AdJn:mu"
	"0M2YtJKaFk=\") NIL NIL NIL) 106 NIL NIL NIL NIL)(\"message\" \"rfc822"
	"\" NIL NIL \"Voice Mail demo\" \"7bit\" 562270 (\"Tue, 8 Oct 91 10:25"
	":36 EDT\" \"Re: multipart mail\" ((\"Nathaniel Borenstein\" NIL \"nsb"
	"\" \"thumper.bellcore.com\")) ((\"Nathaniel Borenstein\" NIL \"nsb\" "
	"\"thumper.bellcore.com\")) ((\"Nathaniel Borenstein\" NIL \"nsb\" \"t"
	"humper.bellcore.com\")) ((NIL NIL \"mrc\" \"panda.com\")) NIL NIL NIL"
	" \"<9110081425.AA00616@greenbush.bellcore.com>\") (\"audio\" \"basic\""
	" NIL NIL \"Hi Mark\" \"base64\" 561308 NIL NIL NIL NIL) 7605 NIL NIL "
	"NIL NIL)(\"audio\" \"basic\" NIL NIL \"Flint phone\" \"base64\" 36234"
	" NIL NIL NIL NIL)(\"image\" \"pbm\" NIL NIL \"MTR's photo\" \"base64\""
	" 1814 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL \"Star Trek Par"
	"ty\" \"7bit\" 182880 (\"Thu, 19 Sep 91 12:41:43 EDT\" NIL ((\"Nathani"
	"el Borenstein\" NIL \"nsb\" \"thumper.bellcore.com\")) ((\"Nathaniel "
	"Borenstein\" NIL \"nsb\" \"thumper.bellcore.com\")) ((\"Nathaniel Bor"
	"enstein\" NIL \"nsb\" \"thumper.bellcore.com\")) ((NIL NIL \"abel\" \""
	"thumper.bellcore.com\")(NIL NIL \"bianchi\" \"thumper.bellcore.com\")"
	"(NIL NIL \"braun\" \"thumper.bellcore.com\")(NIL NIL \"cameron\" \"th"
	"umper.bellcore.com\")(NIL NIL \"carmen\" \"thumper.bellcore.com\")(NI"
	"L NIL \"jfp\" \"thumper.bellcore.com\")(NIL NIL \"jxr\" \"thumper.bel"
	"lcore.com\")(NIL NIL \"kraut\" \"thumper.bellcore.com\")(NIL NIL \"la"
	"mb\" \"thumper.bellcore.com\")(NIL NIL \"lowery\" \"thumper.bellcore."
	"com\")(NIL NIL \"lynn\" \"thumper.bellcore.com\")(NIL NIL \"mlittman\""
	" \"thumper.bellcore.com\")(NIL NIL \"nancyg\" \"thumper.bellcore.com\""
	")(NIL NIL \"sau\" \"thumper.bellcore.com\")(NIL NIL \"shoshi\" \"thum"
	"per.bellcore.com\")(NIL NIL \"slr\" \"thumper.bellcore.com\")(NIL NIL"
	" \"stornett\" \"flash.bellcore.com\")(NIL NIL \"tkl\" \"thumper.bellc"
	"ore.com\")) ((NIL NIL \"nsb\" \"thumper.bellcore.com\")(NIL NIL \"tri"
	"na\" \"flash.bellcore.com\")) NIL NIL \"<9109191641.AA12840@greenbush"
	".bellcore.com>\") (((\"text\" \"plain\" (\"charset\" \"us-ascii\") NI"
	"L NIL \"7bit\" 731 16 NIL NIL NIL NIL)(\"audio\" \"x-sun\" NIL NIL \""
	"He's dead, Jim\" \"base64\" 31472 NIL NIL NIL NIL) \"MIXED\" (\"bound"
	"ary\" \"Where_No_One_Has_Gone_Before\") NIL NIL NIL)((\"image\" \"gif"
	"\" NIL NIL \"Kirk/Spock/McCoy\" \"base64\" 26000 NIL NIL NIL NIL)(\"i"
	"mage\" \"gif\" NIL NIL \"Star Trek Next Generation\" \"base64\" 18666"
	" NIL NIL NIL NIL)(\"APPLICATION\" \"X-BE2\" (\"version\" \"12\") NIL "
	"NIL \"7bit\" 46125 NIL NIL NIL NIL)(\"application\" \"atomicmail\" (\""
	"version\" \"1.12\") NIL NIL \"7bit\" 9203 NIL NIL NIL NIL) \"MIXED\" "
	"(\"boundary\" \"Where_No_Man_Has_Gone_Before\") NIL NIL NIL)(\"audio\""
	" \"x-sun\" NIL NIL \"Distress calls\" \"base64\" 47822 NIL NIL NIL NI"
	"L) \"MIXED\" (\"boundary\" \"Outermost_Trek\") NIL NIL NIL) 4565 NIL "
	"NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL \"Digitizer test\" \"7bit"
	"\" 86113 (\"Fri, 24 May 91 10:40:25 EDT\" \"A cheap digitizer test\" "
	"((\"Stephen A Uhler\" NIL \"sau\" \"sleepy.bellcore.com\")) ((\"Steph"
	"en A Uhler\" NIL \"sau\" \"sleepy.bellcore.com\")) ((\"Stephen A Uhle"
	"r\" NIL \"sau\" \"sleepy.bellcore.com\")) ((NIL NIL \"nsb\" \"sleepy."
	"bellcore.com\")) ((NIL NIL \"sau\" \"sleepy.bellcore.com\")) NIL NIL "
	"\"<9105241440.AA08935@sleepy.bellcore.com>\") ((\"text\" \"plain\" (\""
	"charset\" \"us-ascii\") NIL NIL \"7bit\" 21 0 NIL NIL NIL NIL)(\"imag"
	"e\" \"pgm\" NIL NIL \"Bellcore mug\" \"base64\" 84174 NIL NIL NIL NIL"
	")(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 267 "
	"8 NIL NIL NIL NIL) \"MIXED\" (\"boundary\" \"mail.sleepy.sau.144.8891"
	"\") NIL NIL NIL) 483 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL "
	"\"More Imagery\" \"7bit\" 74470 (\"Fri, 7 Jun 91 09:09:05 EDT\" \"met"
	"a-mail\" ((\"Stephen A Uhler\" NIL \"sau\" \"sleepy.bellcore.com\")) "
	"((\"Stephen A Uhler\" NIL \"sau\" \"sleepy.bellcore.com\")) ((\"Steph"
	"en A Uhler\" NIL \"sau\" \"sleepy.bellcore.com\")) ((NIL NIL \"nsb\" "
	"\"sleepy.bellcore.com\")) NIL NIL NIL \"<9106071309.AA00574@sleepy.be"
	"llcore.com>\") ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NI"
	"L \"7bit\" 1246 26 NIL NIL NIL NIL)(\"image\" \"pbm\" NIL NIL \"Mail "
	"architecture slide\" \"base64\" 71686 NIL NIL NIL NIL) \"MIXED\" (\"b"
	"oundary\" \"mail.sleepy.sau.158.532\") NIL NIL NIL) 431 NIL NIL NIL N"
	"IL)(\"message\" \"rfc822\" NIL NIL \"PostScript demo\" \"7bit\" 39800"
	"8 (\"Mon, 7 Oct 91 12:13:55 EDT\" \"An image that went gif->ppm->ps\""
	" ((\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcore.com\")) (("
	"\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcore.com\")) ((\"N"
	"athaniel Borenstein\" NIL \"nsb\" \"thumper.bellcore.com\")) ((NIL NI"
	"L \"mrc\" \"cac.washington.edu\")) NIL NIL NIL \"<9110071613.AA10867@"
	"greenbush.bellcore.com>\") (\"application\" \"postscript\" NIL NIL \""
	"Captain Picard\" \"7bit\" 397154 NIL NIL NIL NIL) 6438 NIL NIL NIL NI"
	"L)(\"image\" \"gif\" NIL NIL \"Quoted-Printable test\" \"quoted-print"
	"able\" 78302 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL \"q-p vs"
	". base64 test\" \"7bit\" 103687 (\"Sat, 26 Oct 91 09:35:10 EDT\" \"Au"
	"dio in q-p\" ((\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcor"
	"e.com\")) ((\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcore.c"
	"om\")) ((\"Nathaniel Borenstein\" NIL \"nsb\" \"thumper.bellcore.com\""
	")) ((NIL NIL \"mrc\" \"akbar.cac.washington.edu\")) NIL NIL NIL \"<91"
	"10261335.AA01130@greenbush.bellcore.com>\") ((\"AUDIO\" \"BASIC\" NIL"
	" NIL \"I'm sorry, Dave (q-p)\" \"QUOTED-PRINTABLE\" 62094 NIL NIL NIL"
	" NIL)(\"AUDIO\" \"BASIC\" NIL NIL \"I'm sorry, Dave (BASE64)\" \"BASE"
	"64\" 40634 NIL NIL NIL NIL) \"MIXED\" (\"boundary\" \"hal_9000\") NIL"
	" NIL NIL) 1383 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL \"Mult"
	"iple encapsulation\" \"7bit\" 314837 (\"Thu, 24 Oct 1991 17:32:56 -07"
	"00 (PDT)\" \"Here's some more\" ((\"Mark Crispin\" NIL \"MRC\" \"CAC."
	"Washington.EDU\")) ((\"Mark Crispin\" NIL \"mrc\" \"Tomobiki-Cho.CAC."
	"Washington.EDU\")) ((\"Mark Crispin\" NIL \"MRC\" \"CAC.Washington.ED"
	"U\")) ((\"Mark Crispin\" NIL \"MRC\" \"CAC.Washington.EDU\")) NIL NIL"
	" NIL \"<MailManager.688350776.11603.mrc@Tomobiki-Cho.CAC.Washington.E"
	"DU>\") ((\"APPLICATION\" \"POSTSCRIPT\" NIL NIL \"The Simpsons!!\" \""
	"BASE64\" 53346 NIL NIL NIL NIL)(\"\" \"\" NIL NIL \"Alice's PDP-10 w/"
	" TECO & DDT\" \"BASE64\" 18530 NIL NIL NIL NIL)(\"message\" \"rfc822\""
	" NIL NIL \"Going deeper\" \"7bit\" 241936 (\"Thu, 24 Oct 1991 17:08:2"
	"0 -0700 (PDT)\" \"A Multipart message\" ((\"Nathaniel S. Borenstein\""
	" NIL \"nsb\" \"thumper.bellcore.com\")) ((\"Nathaniel S. Borenstein\""
	" NIL \"nsb\" \"thumper.bellcore.com\")) ((\"Nathaniel S. Borenstein\""
	" NIL \"nsb\" \"thumper.bellcore.com\")) ((NIL NIL \"nsb\" \"thumper.b"
	"ellcore.com\")) NIL NIL NIL NIL) ((\"text\" \"plain\" (\"charset\" \""
	"us-ascii\") NIL NIL \"7bit\" 319 7 NIL NIL NIL NIL)((\"image\" \"gif\""
	" NIL NIL \"Bunny\" \"base64\" 3276 NIL NIL NIL NIL)(\"audio\" \"basic"
	"\" NIL NIL \"TV Theme songs\" \"base64\" 156706 NIL NIL NIL NIL) \"pa"
	"rallel\" (\"boundary\" \"seconddivider\") NIL NIL NIL)(\"application\""
	" \"atomicmail\" NIL NIL NIL \"7bit\" 4924 NIL NIL NIL NIL)(\"message\""
	" \"rfc822\" NIL NIL \"Yet another level deeper...\" \"7bit\" 75920 (\""
	"Thu, 24 Oct 1991 17:09:10 -0700 (PDT)\" \"Monster!\" ((\"Nathaniel Bo"
	"renstein\" NIL \"nsb\" \"thumper.bellcore.com\")) ((\"Nathaniel Boren"
	"stein\" NIL \"nsb\" \"thumper.bellcore.com\")) ((\"Nathaniel Borenste"
	"in\" NIL \"nsb\" \"thumper.bellcore.com\")) NIL NIL NIL NIL NIL) (\"A"
	"UDIO\" \"X-SUN\" NIL NIL \"I'm Twying...\" \"base64\" 75682 NIL NIL N"
	"IL NIL) 1031 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"foobarbazola\""
	") NIL NIL NIL) 2095 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"168195"
	"60-2078917053-688350843:#11603\") NIL NIL NIL) 3283 NIL NIL NIL NIL) "
	"\"MIXED\" (\"boundary\" \"owatagusiam\") NIL NIL NIL))\r\n";

__attribute__((unused))
static const char dovecot_fetch_calendar[] =
	"* 2 FETCH (UID 2 FLAGS (\\Recent) ENVELOPE (\"Thu Jan 01 00:00:10 +00"
	"00\" \"test\" ((\"David Bremner\" NIL \"bremner\" \"example.com\")) ("
	"(\"David Bremner\" NIL \"bremner\" \"example.com\")) ((\"David Bremne"
	"r\" NIL \"bremner\" \"example.com\")) ((\"david@tethera.net\" NIL \"d"
	"avid\" \"tethera.net\")) NIL NIL NIL \" <YT3PR01MB10572EFC9F7C81F9446"
	"214768CEF72@YT3PR01MB10572.CANPRD01.PROD.OUTLOOK.COM>\") BODYSTRUCTUR"
	"E ((\"text\" \"plain\" (\"charset\" \"iso-8859-1\") NIL NIL \"quoted-"
	"printable\" 46 2 NIL NIL NIL NIL)(\"text\" \"calendar\" (\"charset\" "
	"\"utf-8\" \"method\" \"REQUEST\") NIL NIL \"base64\" 2308 30 NIL NIL "
	"NIL NIL) \"alternative\" (\"boundary\" \"_000_YT3PR01MB10572EFC9F7C81"
	"F9446214768CEF72YT3PR01MB10572CA_\") NIL (\"en-CA\") NIL))\r\n";

__attribute__((unused))
static const char dovecot_fetch_encrypted[] =
	"* 3 FETCH (UID 3 FLAGS (\\Recent) ENVELOPE (\"Mon, 19 Mar 2018 13:56:"
	"54 -0400\" {57}\r\n"
	"Re: bug: \"no top level messages\" crash on Zen email loops ((\"=?utf"
	"-8?Q?Antoine_Beaupr=C3=A9?=\" NIL \"anarcat\" \"orangeseeds.org\")) ("
	"(\"=?utf-8?Q?Antoine_Beaupr=C3=A9?=\" NIL \"anarcat\" \"orangeseeds.o"
	"rg\")) ((\"=?utf-8?Q?Antoine_Beaupr=C3=A9?=\" NIL \"anarcat\" \"orang"
	"eseeds.org\")) ((\"David Bremner\" NIL \"david\" \"tethera.net\")(NIL"
	" NIL \"notmuch\" \"notmuchmail.org\")) NIL NIL \"<87a7v42bv9.fsf@curi"
	"e.anarc.at>\" \"<874llc2bkp.fsf@curie.anarc.at>\") BODYSTRUCTURE ((\""
	"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 51 2 NIL"
	" NIL NIL NIL)(\"application\" \"x-gtar-compressed\" NIL NIL NIL \"bas"
	"e64\" 7348 NIL (\"attachment\" (\"filename\" \"zendesk-email-loop2.tg"
	"z\")) NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
	"\"7bit\" 140 3 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"=-=-=\") NI"
	"L NIL NIL))\r\n";

__attribute__((unused))
static const char dovecot_fetch_default[] =
	"* 5 FETCH (UID 5 FLAGS (\\Recent) ENVELOPE (\"Tue, 17 Nov 2009 21:28:"
	"37 +0600\" {70}\r\n"
	"[notmuch] [PATCH 1/2] Close message file after parsing message header"
	"s ((\"Mikhail Gusarov\" NIL \"dottedmag\" \"dottedmag.net\")) ((\"Mik"
	"hail Gusarov\" NIL \"dottedmag\" \"dottedmag.net\")) ((\"Mikhail Gusa"
	"rov\" NIL \"dottedmag\" \"dottedmag.net\")) ((NIL NIL \"notmuch\" \"n"
	"otmuchmail.org\")) NIL NIL NIL \"<1258471718-6781-1-git-send-email-do"
	"ttedmag@dottedmag.net>\") BODYSTRUCTURE (\"text\" \"plain\" (\"charse"
	"t\" \"us-ascii\") NIL NIL \"7bit\" 701 27 NIL NIL NIL NIL))\r\n";

__attribute__((unused))
static const char dovecot_fetch_torture_sections[] =
	"* 1 FETCH (BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] {108}\r\n"
	"Subject: Multi-media mail demonstration \r\n"
	"Message-Id: <CMM.0.88.687168092.mrc@akbar.cac.washington.edu> \r\n"
	"\r\n"
	" BODY[1]<0> {20}\r\n"
	"This is a demonstrat)\r\n";

__attribute__((unused))
static const char dovecot_fetch_sections[] =
	"* 2 FETCH (MODSEQ (2) PREVIEW \"This meeting will could have been an "
	"email\" BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] {115}\r\n"
	"Subject: test\r\n"
	"Message-ID:\r\n"
	" <YT3PR01MB10572EFC9F7C81F9446214768CEF72@YT3PR01MB10572.CANPRD01.PRO"
	"D.OUTLOOK.COM>\r\n"
	"\r\n"
	" BODY[1]<0> {20}\r\n"
	"This meeting will co BINARY.SIZE[1] 46)\r\n";

__attribute__((unused))
static const char dovecot_flags[] =
	"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n";

__attribute__((unused))
static const char dovecot_permflags[] =
	"* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n";

__attribute__((unused))
static const char dovecot_exists[] =
	"* 5 EXISTS\r\n";

__attribute__((unused))
static const char dovecot_uidvalidity[] =
	"* OK [UIDVALIDITY 1795303445] UIDs valid\r\n";

__attribute__((unused))
static const char dovecot_uidnext[] =
	"* OK [UIDNEXT 6] Predicted next UID\r\n";

__attribute__((unused))
static const char dovecot_examine_ok[] =
	"a OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n";

__attribute__((unused))
static const char dovecot_highestmodseq[] =
	"* OK [HIGHESTMODSEQ 2] Highest\r\n";

__attribute__((unused))
static const char dovecot_thread[] =
	"* THREAD (1)(5)(3)(2)(4)\r\n";

__attribute__((unused))
static const char dovecot_esearch_all[] =
	"* ESEARCH (TAG \"f\") MIN 1 MAX 5 ALL 1:5 COUNT 5\r\n";

__attribute__((unused))
static const char dovecot_esearch_partial[] =
	"* ESEARCH (TAG \"f2\") UID PARTIAL (1:2 1:2)\r\n";

__attribute__((unused))
static const char dovecot_list[] =
	"* LIST (\\HasNoChildren) \"/\" INBOX\r\n";

__attribute__((unused))
static const char dovecot_status[] =
	"* STATUS INBOX (MESSAGES 5 UIDNEXT 6 UIDVALIDITY 1795303445 UNSEEN 5 "
	"HIGHESTMODSEQ 2 SIZE 1859396)\r\n";

__attribute__((unused))
static const char dovecot_search[] =
	"* SEARCH 1 2 3 4 5\r\n";

__attribute__((unused))
static const char dovecot_bye[] =
	"* BYE Logging out\r\n";

#endif
