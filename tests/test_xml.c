/*
 * test_xml.c - the XML replies stay well-formed whatever a worker typed:
 * xml_put in both forms, and the real Twilio and WeChat renderers fed a text
 * with every XML-illegal character, each answer parsed with expat (what
 * xmllint would say) and its character data compared.
 */
#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chanfix.h"
#include "channel.h"
#include "conf.h"
#include "t.h"
#include "util.h"
#include "xml.h"

/* A worker's text with C0 controls, U+FFFE, U+FFFF, "]]>" and markup (as
 * UTF-8: replies are); xml_put also gets a byte that is not UTF-8. */
static const char dirty[] = "问\x0b题\x1b[31m\x01\x08\x0c\x1f <b>&\"'</b> ]]> "
                            "\xef\xbf\xbe\xef\xbf\xbf tab\there\r\nok 😀";

struct parsed {
    struct buf text; /* character data of every element */
};

static void on_text(void *ud, const XML_Char *s, int len)
{
    buf_append(&((struct parsed *)ud)->text, s, (size_t)len);
}

/* 1 when doc is well-formed XML (character data into *text, new string), else 0. */
static int parse(const char *doc, char **text)
{
    struct parsed p;
    buf_init(&p.text, 0);
    XML_Parser x = XML_ParserCreate("UTF-8");
    XML_SetUserData(x, &p);
    XML_SetCharacterDataHandler(x, on_text);
    int ok = XML_Parse(x, doc, (int)strlen(doc), 1) == XML_STATUS_OK;
    if (!ok)
        printf("%s: expat: %s at line %lu: %s\n", t_current, XML_ErrorString(XML_GetErrorCode(x)),
               (unsigned long)XML_GetCurrentLineNumber(x), doc);
    XML_ParserFree(x);
    *text = xstrdup(p.text.data ? p.text.data : "");
    buf_release(&p.text);
    return ok;
}

static void test_xml_put_both_forms(void)
{
    for (int form = XML_ESCAPED; form <= XML_CDATA; form++) {
        struct buf b;
        char *text = NULL;
        buf_init(&b, 0);
        buf_puts(&b, "<r>");
        xml_put(&b, dirty, (enum xml_form)form);
        xml_put(&b, "\xff\xc3(", (enum xml_form)form);
        buf_puts(&b, "</r>");
        CHECK_INT(parse(b.data, &text), 1);
        /* expat reports CR LF as LF (XML 1.0 §2.11) */
        CHECK_STR(text, "问题[31m <b>&\"'</b> ]]>  tab\there\nok 😀(");
        free(text);
        buf_release(&b);
    }
    /* "]]" then an illegal character then ">" must not close the section */
    struct buf b;
    char *text = NULL;
    buf_init(&b, 0);
    buf_puts(&b, "<r>");
    xml_put(&b, "a]]\x0b>b", XML_CDATA);
    buf_puts(&b, "</r>");
    CHECK_INT(parse(b.data, &text), 1);
    CHECK_STR(text, "a]]>b");
    free(text);
    buf_release(&b);
}

/* The answer ch renders for one reply of text to user with reply_ctx. */
static void render(const struct channel *ch, const struct conf *c, const char *reply_ctx,
                   struct http_resp *resp)
{
    struct inmsg msg = {0};
    msg.channel = ch->name;
    msg.user = xstrdup("oUser\x1b");
    msg.reply_ctx = reply_ctx ? xstrdup(reply_ctx) : NULL;
    json_t *replies = json_pack("[{s:s}]", "text", dirty);
    CHECK(replies != NULL);
    ch->render(c, &msg, replies, NULL, resp);
    json_decref(replies);
    inmsg_release(&msg);
}

/* 接 T1 shows the volunteer the worker's question: TwiML and WeChat's
 * passive reply parse, and carry the text without the illegal characters. */
static void test_xml_replies_well_formed(void)
{
    struct conf c;
    const char *const sets[] = {"wechat.token=tok", NULL};
    struct http_resp resp = {0};
    char *text = NULL;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    render(&chan_twilio, &c, NULL, &resp);
    CHECK_STR(resp.content_type, "text/xml");
    CHECK_INT(parse(resp.body, &text), 1);
    CHECK_HAS(text, "问题[31m <b>&\"'</b> ]]>  tab\there");
    CHECK(strchr(text, '\x0b') == NULL && strchr(text, '\x1b') == NULL);
    free(text);
    http_resp_release(&resp);
    render(&chan_wechat, &c, "gh_1\n0\n1700000000\nnonce", &resp);
    CHECK_HAS(resp.content_type, "xml");
    CHECK_INT(parse(resp.body, &text), 1);
    CHECK_HAS(text, "oUser");
    CHECK_HAS(text, "问题[31m <b>&\"'</b> ]]>  tab\there");
    CHECK(strchr(text, '\x0b') == NULL && strchr(text, '\x1b') == NULL);
    CHECK(strstr(text, "\xef\xbf\xbe") == NULL && strstr(text, "\xef\xbf\xbf") == NULL);
    free(text);
    http_resp_release(&resp);
    conf_release(&c);
}

const struct t_case xml_tests[] = {T(test_xml_put_both_forms), T(test_xml_replies_well_formed),
                                   T_END};
