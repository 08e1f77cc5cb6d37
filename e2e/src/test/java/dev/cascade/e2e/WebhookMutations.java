package dev.cascade.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.e2e.WebhookSenders.Field;
import dev.cascade.e2e.WebhookSenders.Input;
import dev.cascade.e2e.WebhookSenders.Kind;
import dev.cascade.e2e.WebhookSenders.PathSecret;
import dev.cascade.e2e.WebhookSenders.Sender;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * Generators of broken webhook deliveries, made from each sender's real payload: cut short, with invalid UTF-8,
 * with a value of the wrong kind where the service must read one, not an object at all, nested past any sense,
 * with strings of hundreds of thousands of characters, without a header the sender must send; and requests
 * whose proof is wrong, whose media type is not the sender's, or that are random from path to body.
 */
final class WebhookMutations {

    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Byte sequences that are not UTF-8 wherever they stand: bytes that never occur, continuation bytes without a
     * lead, and leads followed by an ASCII byte.
     */
    static final List<byte[]> INVALID_UTF8 = List.of(
            bytes(0xFF), bytes(0xFE), bytes(0x80), bytes(0xBF), bytes(0xC3, 0x28), bytes(0xC0, 0x22), bytes(0xE2, 0x28, 0xA1),
            bytes(0xE2, 0x82, 0x28), bytes(0xF0, 0x28, 0x8C, 0xBC), bytes(0xF0, 0x90, 0x28, 0xBC), bytes(0xF8, 0x88, 0x80, 0x80, 0x80),
            bytes(0xFC, 0x84, 0x80, 0x80, 0x80, 0x80), bytes(0x00), bytes(0x01, 0x1F));

    /** What long strings are made of: every kind of character JSON must escape or carry. */
    static final List<String> ALPHABETS = List.of("abcdefghijklmnopqrstuvwxyz", "0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:/@",
            "éüßøЖж中文字😀🚀\u200B\u202E", "\"\\\u0000\u0001\u001F\u007F\t\n\r", " %&+=?#[]{}<>|~`!$'()*,;");

    /** Media types, of which each sender takes only a few. */
    static final List<String> MEDIA_TYPES = List.of("text/plain", "text/plain; charset=utf-8", "text/html", "application/xml",
            "text/xml", "multipart/form-data; boundary=fuzz", "application/octet-stream", "application/x-www-form-urlencoded",
            "application/yaml", "application/x-yaml", "text/yaml", "application/cloudevents+json",
            "application/vnd.docker.distribution.events.v1+json", "application/vnd.docker.distribution.events.v2+json",
            "application/problem+json", "application/json-patch+json", "application/jsonl", "text/json", "image/png");

    /** Content-Type values that are no media type at all. */
    static final List<String> NOT_MEDIA_TYPES = List.of("json", "application", "/", "application/", "/json", ";", "a/b/c",
            "application/json/json", "*/*", "text/*");

    // ---- deliveries a sender proves, whose body or headers are broken -------------------------------------------------

    /** Deliveries with the sender's own valid proof whose body (or a header it must send) is broken. */
    static Arbitrary<Input> broken(List<Sender> senders) {
        return Arbitraries.of(senders).flatMap(WebhookMutations::broken);
    }

    static Arbitrary<Input> broken(Sender s) {
        List<Tuple2<Integer, Arbitrary<Input>>> ways = new ArrayList<>();
        ways.add(Tuple.of(3, truncated(s)));
        ways.add(Tuple.of(2, invalidUtf8(s)));
        ways.add(Tuple.of(5, wrongKind(s)));
        ways.add(Tuple.of(1, notAnObject(s)));
        ways.add(Tuple.of(1, deeplyNested(s)));
        ways.add(Tuple.of(1, hugeThenTruncated(s)));
        if (!s.checked().isEmpty()) {
            ways.add(Tuple.of(2, hugeWhereChecked(s)));
        }
        if (!WebhookSenders.requiredHeaders(s).isEmpty()) {
            ways.add(Tuple.of(1, withoutRequiredHeader(s)));
        }
        if (s == WebhookSenders.GITHUB) {
            ways.add(Tuple.of(2, brokenForm(s)));
        }
        if (s == WebhookSenders.GENERIC) {
            ways.add(Tuple.of(3, brokenYaml(s)));
        }
        return Arbitraries.frequencyOf(ways);
    }

    /** Cut short anywhere before the brace that closes it: never a whole JSON object. */
    static Arbitrary<Input> truncated(Sender s) {
        byte[] payload = s.payload();
        int close = lastIndexOf(payload, (byte) '}');
        return Arbitraries.integers().between(0, close - 1)
                .map(cut -> s.send("cut to " + cut + " of " + payload.length + " bytes", Arrays.copyOf(payload, cut)));
    }

    /** Up to four sequences that are not UTF-8, each inserted anywhere before the closing brace. */
    static Arbitrary<Input> invalidUtf8(Sender s) {
        byte[] payload = s.payload();
        int close = lastIndexOf(payload, (byte) '}');
        Arbitrary<Tuple2<Integer, byte[]>> insertion = Combinators.combine(
                Arbitraries.integers().between(0, close), Arbitraries.of(INVALID_UTF8)).as(Tuple::of);
        return insertion.list().ofMinSize(1).ofMaxSize(4).map(insertions -> {
            List<Tuple2<Integer, byte[]>> sorted = new ArrayList<>(insertions);
            sorted.sort((a, b) -> Integer.compare(b.get1(), a.get1()));
            byte[] body = payload;
            StringBuilder what = new StringBuilder();
            for (Tuple2<Integer, byte[]> i : sorted) {
                body = insert(body, i.get1(), i.get2());
                what.append(HexFormat.of().formatHex(i.get2())).append('@').append(i.get1()).append(' ');
            }
            return s.send("not UTF-8: " + what.toString().trim(), body);
        });
    }

    /** A field the service must read, given a value of a kind it cannot be. */
    static Arbitrary<Input> wrongKind(Sender s) {
        return Arbitraries.of(s.fields()).flatMap(field -> Combinators.combine(Arbitraries.of(field.wrong()), anyValueSeed())
                .as((kind, seed) -> {
                    JsonNode value = valueOf(kind, seed, s.payload(), field);
                    return s.send(field.pointer() + " = " + abbreviate(value.toString()), replaced(s.payload(), field.pointer(), value));
                }));
    }

    /** The whole body one JSON value that is not an object. */
    static Arbitrary<Input> notAnObject(Sender s) {
        return Arbitraries.of(Kind.STRING, Kind.NUMBER, Kind.BOOLEAN, Kind.ARRAY, Kind.NULL).flatMap(kind -> anyValueSeed().map(seed -> {
            JsonNode value = kind == Kind.ARRAY && seed % 2 == 0 ? NODES.arrayNode().add(tree(s.payload())) : valueOf(kind, seed, null, null);
            return s.send("body is " + abbreviate(value.toString()), bytesOf(value));
        }));
    }

    /** A field the service reads, put inside arrays nested up to fifty thousand deep. */
    static Arbitrary<Input> deeplyNested(Sender s) {
        return Combinators.combine(Arbitraries.of(s.fields()),
                        Arbitraries.integers().between(1, 50_000).withDistribution(RandomDistribution.biased()))
                .as((field, depth) -> {
                    String placeholder = "nested-value-placeholder-0d2c9f";
                    JsonNode original = tree(s.payload()).at(field.pointer());
                    String json = new String(replaced(s.payload(), field.pointer(), NODES.textNode(placeholder)), StandardCharsets.UTF_8);
                    String nested = "[".repeat(depth) + original + "]".repeat(depth);
                    byte[] body = json.replace("\"" + placeholder + "\"", nested).getBytes(StandardCharsets.UTF_8);
                    return s.send(field.pointer() + " nested " + depth + " deep", body);
                });
    }

    /** A commit id, tag, digest or image name ten thousand to sixty thousand characters long. */
    static Arbitrary<Input> hugeWhereChecked(Sender s) {
        return Combinators.combine(Arbitraries.of(s.checked()), hugeString(10_000, 60_000))
                .as((pointer, huge) -> s.send(pointer + " = " + abbreviate(huge) + " (" + huge.length() + " chars)",
                        replaced(s.payload(), pointer, NODES.textNode(huge))));
    }

    /** Any string of the payload made huge, and the body then cut short before its closing brace. */
    static Arbitrary<Input> hugeThenTruncated(Sender s) {
        List<String> strings = stringPointers(tree(s.payload()));
        return Combinators.combine(Arbitraries.of(strings), hugeString(1_000, 60_000), Arbitraries.integers().between(1, 64))
                .as((pointer, huge, cut) -> {
                    byte[] whole = replaced(s.payload(), pointer, NODES.textNode(huge));
                    int close = lastIndexOf(whole, (byte) '}');
                    int keep = Math.max(0, close - cut);
                    return s.send(pointer + " of " + huge.length() + " chars, cut to " + keep + " bytes", Arrays.copyOf(whole, keep));
                });
    }

    /** A header the sender must send, left out or empty. */
    static Arbitrary<Input> withoutRequiredHeader(Sender s) {
        return Combinators.combine(Arbitraries.of(WebhookSenders.requiredHeaders(s)), Arbitraries.of("", " ", null))
                .as((header, value) -> {
                    Input valid = s.send(header + (value == null ? " left out" : " = '" + value + "'"), s.payload());
                    Map<String, String> headers = new LinkedHashMap<>(valid.headers());
                    if (value == null) {
                        headers.remove(header);
                        if (header.equals("X-Gitea-Event")) {
                            headers.remove("X-Forgejo-Event");
                        }
                    } else {
                        headers.put(header, value);
                    }
                    return valid.withHeaders(headers);
                });
    }

    /** GitHub's form content type: the payload field cut short, an escape broken, or no payload field. */
    static Arbitrary<Input> brokenForm(Sender s) {
        String form = "payload=" + URLEncoder.encode(new String(s.payload(), StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        int close = form.lastIndexOf("%7D");
        String type = "application/x-www-form-urlencoded";
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, close - 1)
                        .map(cut -> s.send("form cut to " + cut, type, form.substring(0, cut).getBytes(StandardCharsets.UTF_8))),
                Combinators.combine(Arbitraries.integers().between(8, form.length()), Arbitraries.of("%G", "%zz", "%-1", "%%"))
                        .as((at, bad) -> s.send("form with '" + bad + "' at " + at, type,
                                (form.substring(0, at) + bad + form.substring(at)).getBytes(StandardCharsets.UTF_8))),
                Arbitraries.of("", "payload", "ref=refs%2Fheads%2Fmain", "payloads=" + form.substring(8))
                        .map(body -> s.send("form without a payload field", type, body.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * The generic hook as YAML: cut short, or with a commit that is no commit id (a mapping, a sequence nested deep, an
     * alias of an anchored structure that would expand to millions of nodes, a tagged value, or text with invalid UTF-8).
     */
    static Arbitrary<Input> brokenYaml(Sender s) {
        String type = "application/yaml";
        String head = """
                type: Git
                git:
                  uri: https://github.com/openshift/ruby-hello-world.git
                  ref: refs/heads/master
                  commit: %s
                  message: Update README
                """;
        String laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                + "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
        // the JSON payload is YAML too (a flow mapping), and cut short before its closing brace it is no mapping at all
        int close = lastIndexOf(s.payload(), (byte) '}');
        Arbitrary<Input> cut = Arbitraries.integers().between(0, close - 1)
                .map(at -> s.send("YAML flow mapping cut to " + at, type, Arrays.copyOf(s.payload(), at)));
        Arbitrary<Input> commit = Arbitraries.of("{a: 1}", "[7ed6c0d]", "!!binary aGVsbG8=", "!!python/object:os.system ls",
                        "*g", "!!map {}", "? complex\n  : key")
                .map(value -> s.send("YAML commit: " + value, type,
                        ((value.equals("*g") ? laughs : "") + head.formatted(value)).getBytes(StandardCharsets.UTF_8)));
        Arbitrary<Input> nested = Arbitraries.integers().between(1, 20_000).withDistribution(RandomDistribution.biased())
                .map(depth -> s.send("YAML commit nested " + depth + " deep", type,
                        head.formatted("[".repeat(depth) + "x" + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8)));
        Arbitrary<Input> utf8 = Arbitraries.of(INVALID_UTF8).map(bad -> {
            byte[] doc = head.formatted("7ed6c0d8a3f2f2b4d9a0c6d7e8f9a0b1c2d3e4f5").getBytes(StandardCharsets.UTF_8);
            int at = new String(doc, StandardCharsets.UTF_8).indexOf("7ed6c0d") + 7;
            return s.send("YAML commit with " + HexFormat.of().formatHex(bad), type, insert(doc, at, bad));
        });
        return Arbitraries.oneOf(cut, commit, nested, utf8);
    }

    // ---- proof, media type, anything ---------------------------------------------------------------------------------

    /**
     * Deliveries (real ones, or cut short) of a sender that proves itself, with its proof missing, made with another
     * secret, one character off, garbled, of another body, or absurdly long; for the generic hook, another secret in
     * the path.
     */
    static Arbitrary<Input> forged(List<Sender> senders) {
        return Arbitraries.of(senders.stream().filter(Sender::signs).toList()).flatMap(s -> {
            byte[] payload = s.payload();
            int close = lastIndexOf(payload, (byte) '}');
            Arbitrary<byte[]> body = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(payload)),
                    Tuple.of(1, Arbitraries.integers().between(0, close).map(cut -> Arrays.copyOf(payload, cut))));
            Arbitrary<Forgery> forgery = s.proof() instanceof PathSecret ? pathForgery() : headerForgery();
            return Combinators.combine(body, forgery).as((b, f) -> f.apply(s, b));
        });
    }

    /** A way to forge a proof. */
    interface Forgery {
        Input apply(Sender sender, byte[] body);
    }

    static Arbitrary<Forgery> headerForgery() {
        Arbitrary<String> printable = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(200)
                .filter(v -> !v.isBlank());
        return Arbitraries.oneOf(
                Arbitraries.just(forgeAll("proof left out", (s, b, valid) -> null)),
                Arbitraries.of("", " ").map(v -> forgeAll("proof empty", (s, b, valid) -> v)),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(64)
                        .map(secret -> forgeAll("made with secret '" + secret + "'", (s, b, valid) -> proofWith(s, b, "x" + secret))),
                Arbitraries.integers().between(0, 63).map(at -> forgeAll("one character off at " + at,
                        (s, b, valid) -> oneOff(valid, at))),
                printable.map(v -> forgeAll("garbled '" + abbreviate(v) + "'", (s, b, valid) -> v)),
                Arbitraries.strings().withChars("0123456789abcdef").ofLength(64)
                        .map(hex -> forgeAll("random hex", (s, b, valid) -> "sha256=" + hex)),
                Arbitraries.of("sha1=", "sha512=", "Basic ", "Token ", "bearer:", "sha256=sha256=")
                        .map(prefix -> forgeAll("prefixed '" + prefix + "'", (s, b, valid) -> prefix + valid)),
                Arbitraries.just(forgeAll("proof of another body, or a token rotated out", (s, b, valid) -> proofOfAnother(s, b))),
                Arbitraries.integers().between(4_000, 20_000).map(n -> {
                    Forgery huge = forgeAll("proof " + n + " characters long", (s, b, valid) -> "sha256=" + "f".repeat(n));
                    // over the server's limit for headers the request is refused before it is read
                    return (Forgery) (s, b) -> huge.apply(s, b).expecting(0);
                }));
    }

    /** A forgery that puts the same forged value into every header that carries the sender's proof. */
    static Forgery forgeAll(String what, ForgedValue value) {
        return (s, body) -> {
            Input valid = s.send("forged: " + what, body);
            Map<String, String> headers = new LinkedHashMap<>(valid.headers());
            for (String header : s.proofHeaders()) {
                String forged = value.of(s, body, headers.get(header));
                if (forged == null) {
                    headers.remove(header);
                } else {
                    headers.put(header, forged);
                }
            }
            return valid.withHeaders(headers).expecting(401);
        };
    }

    /** A forged value for one proof header, given what the valid one is. */
    interface ForgedValue {
        String of(Sender sender, byte[] body, String valid);
    }

    /** The proof header value the sender would send for {@code body} if its secret were {@code secret}. */
    static String proofWith(Sender s, byte[] body, String secret) {
        if (s.proof() instanceof WebhookSenders.Hmac h) {
            return h.prefixes().get(0) + h.of(secret, body);
        }
        return ((WebhookSenders.Token) s.proof()).prefix() + secret;
    }

    /** A valid proof of a body one byte longer; for a token, the token before the current one. */
    static String proofOfAnother(Sender s, byte[] body) {
        if (s.proof() instanceof WebhookSenders.Hmac h) {
            byte[] other = Arrays.copyOf(body, body.length + 1);
            other[body.length] = ' ';
            return h.prefixes().get(0) + h.of(h.secret(), other);
        }
        WebhookSenders.Token t = (WebhookSenders.Token) s.proof();
        return t.prefix() + t.token() + "-old";
    }

    /** The value with one character replaced by another that differs in any case. */
    static String oneOff(String valid, int at) {
        int i = valid.length() - 1 - (at % Math.min(valid.length(), 32));
        char c = valid.charAt(i);
        char other = Character.toLowerCase(c) == 'q' ? 'z' : 'q';
        return valid.substring(0, i) + other + valid.substring(i + 1);
    }

    static Arbitrary<Forgery> pathForgery() {
        return Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().withChars('-', '_', '.').ofMinLength(1).ofMaxLength(80)
                        .map(secret -> path("secret '" + secret + "'", secret, 401)),
                Arbitraries.just(path("the secret with 'x' after it", WebhookSenders.GENERIC_SECRET + "x", 401)),
                Arbitraries.just(path("the secret in upper case", WebhookSenders.GENERIC_SECRET.toUpperCase(), 401)),
                Arbitraries.integers().between(300, 3_000).map(n -> path("secret of " + n + " characters", "s".repeat(n), 401)),
                // paths that may not reach the endpoint at all
                Arbitraries.of("", "%2F", "..", "%2e%2e%2f", "%FF%FE", "%C0%AF", "a%0Ab", "%00", WebhookSenders.GENERIC_SECRET + "/extra")
                        .map(secret -> path("path ending '" + secret + "'", secret, 0)));
    }

    static Forgery path(String what, String secret, int expect) {
        return (s, body) -> s.send("forged: " + what, body).withPath("/webhooks/git/generic/" + secret).expecting(expect);
    }

    /** The real, validly proven delivery in a media type its sender does not use, or with none. */
    static Arbitrary<Input> unsupportedMediaType(List<Sender> senders) {
        return Arbitraries.of(senders).flatMap(s -> {
            List<String> foreign = MEDIA_TYPES.stream()
                    .filter(t -> !s.mediaTypes().contains(t.split(";")[0].trim()))
                    .toList();
            Arbitrary<String> type = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(foreign)),
                    Tuple.of(1, Arbitraries.just((String) null)), Tuple.of(2, Arbitraries.of(NOT_MEDIA_TYPES)));
            // a Content-Type that is no media type at all may be refused before the endpoint sees it
            return type.map(t -> {
                Input input = s.send("media type " + t, t, s.payload());
                return t == null || MEDIA_TYPES.contains(t) ? input.expecting(415) : input;
            });
        });
    }

    /** Requests random from path to body, with the headers webhook senders use holding random values. */
    static Arbitrary<Input> random() {
        Arbitrary<String> token = Arbitraries.strings().alpha().numeric().withChars('-', '_', '.').ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> path = Arbitraries.oneOf(
                Arbitraries.of(WebhookSenders.ALL).map(s -> s.proof() instanceof PathSecret ? s.path() + "/x" : s.path()),
                token.map(t -> "/webhooks/git/" + t), token.map(t -> "/webhooks/registry/" + t), token.map(t -> "/webhooks/" + t),
                token.map(t -> "/webhooks/git/generic/" + t), token.map(t -> "/webhooks/git/github/" + t),
                Arbitraries.of("/webhooks/registry/github", "/webhooks/git/quay", "/webhooks/git/distribution", "/webhooks/registry/generic"));
        List<String> names = WebhookSenders.ALL.stream()
                .flatMap(s -> Stream.concat(s.headers().keySet().stream(), s.proofHeaders().stream()))
                .distinct().toList();
        Arbitrary<Map<String, String>> headers = Combinators.combine(Arbitraries.of(names),
                        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(100))
                .as(Tuple::of).list().ofMaxSize(6)
                .map(pairs -> {
                    Map<String, String> map = new LinkedHashMap<>();
                    pairs.forEach(p -> map.put(p.get1(), p.get2()));
                    return map;
                });
        Arbitrary<String> type = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(MEDIA_TYPES)),
                Tuple.of(4, Arbitraries.of(WebhookSenders.ALL).map(Sender::contentType)),
                Tuple.of(1, Arbitraries.just((String) null)), Tuple.of(1, Arbitraries.of(NOT_MEDIA_TYPES)));
        Arbitrary<byte[]> body = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(4096),
                Arbitraries.strings().ofMaxLength(2000).map(WebhookPayloads::utf8),
                randomJson(4).map(WebhookMutations::bytesOf));
        return Combinators.combine(path, headers, type, body).as((p, h, t, b) -> {
            Map<String, String> all = new LinkedHashMap<>(h);
            if (t != null) {
                all.put("Content-Type", t);
            }
            return new Input("random", p, all, b);
        });
    }

    /** JSON documents of the senders' own field names with random values, up to {@code depth} deep. */
    static Arbitrary<JsonNode> randomJson(int depth) {
        TreeSet<String> vocabulary = new TreeSet<>();
        WebhookSenders.ALL.forEach(s -> collectNames(tree(s.payload()), vocabulary));
        List<String> names = List.copyOf(vocabulary);
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().ofMaxLength(40).map(NODES::textNode),
                Arbitraries.longs().map(NODES::numberNode), Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.just(NODES.nullNode()));
        return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of(names), inner).as(Tuple::of).list().ofMaxSize(6).map(fields -> {
                    ObjectNode o = NODES.objectNode();
                    fields.forEach(f -> o.set(f.get1(), f.get2()));
                    return (JsonNode) o;
                }),
                inner.list().ofMaxSize(4).map(items -> {
                    ArrayNode a = NODES.arrayNode();
                    items.forEach(a::add);
                    return (JsonNode) a;
                })), depth).map(n -> {
                    if (n.isObject()) {
                        return n;
                    }
                    ObjectNode wrapped = NODES.objectNode();
                    wrapped.set(names.get(Math.abs(n.hashCode()) % names.size()), n);
                    return wrapped;
                });
    }

    // ---- values ----------------------------------------------------------------------------------------------------

    /** A seed from which a value of any kind is made, so that shrinking goes towards small values. */
    static Arbitrary<Integer> anyValueSeed() {
        return Arbitraries.integers().between(0, 1_000_000).withDistribution(RandomDistribution.biased());
    }

    /** A value of the given kind: the field's own value wrapped or stringified where that makes sense. */
    static JsonNode valueOf(Kind kind, int seed, byte[] payload, Field field) {
        JsonNode own = payload == null || field == null ? NODES.textNode("x") : tree(payload).at(field.pointer());
        return switch (kind) {
            case STRING -> switch (seed % 4) {
                case 0 -> NODES.textNode("");
                case 1 -> NODES.textNode(own.toString());
                case 2 -> NODES.textNode(Integer.toString(seed));
                default -> NODES.textNode("x".repeat(1 + seed % 300));
            };
            case NUMBER -> switch (seed % 6) {
                case 0 -> NODES.numberNode(seed);
                case 1 -> NODES.numberNode(-seed - 0.5);
                case 2 -> NODES.numberNode(Double.MAX_VALUE);
                case 3 -> NODES.numberNode(new BigInteger("9".repeat(1 + seed % 2_000)));
                case 4 -> NODES.numberNode(Long.MIN_VALUE);
                default -> NODES.numberNode(0);
            };
            case BOOLEAN -> NODES.booleanNode(seed % 2 == 0);
            case OBJECT -> switch (seed % 3) {
                case 0 -> NODES.objectNode();
                case 1 -> NODES.objectNode().set("value", own.deepCopy());
                default -> NODES.objectNode().put("$ref", "#/" + seed);
            };
            case ARRAY -> switch (seed % 3) {
                case 0 -> NODES.arrayNode();
                case 1 -> NODES.arrayNode().add(own.deepCopy());
                default -> NODES.arrayNode().add(seed).add("x").addNull();
            };
            case NULL -> NODES.nullNode();
        };
    }

    /** A string of {@code min} to {@code max} characters, repeating a short pattern drawn from one alphabet. */
    static Arbitrary<String> hugeString(int min, int max) {
        return Combinators.combine(Arbitraries.of(ALPHABETS), Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1).ofMaxSize(8),
                        Arbitraries.integers().between(min, max))
                .as((alphabet, picks, length) -> {
                    int[] cps = alphabet.codePoints().toArray();
                    StringBuilder pattern = new StringBuilder();
                    picks.forEach(p -> pattern.appendCodePoint(cps[p % cps.length]));
                    String unit = pattern.toString();
                    return unit.repeat(Math.max(1, length / unit.length()));
                });
    }

    // ---- JSON and bytes ------------------------------------------------------------------------------------------

    static JsonNode tree(byte[] payload) {
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytesOf(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The payload with the value at {@code pointer} replaced; the pointer must name a value that is there. */
    static byte[] replaced(byte[] payload, String pointer, JsonNode value) {
        JsonNode root = tree(payload);
        if (root.at(pointer).isMissingNode()) {
            throw new IllegalStateException("the payload has nothing at " + pointer);
        }
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else {
            ((ArrayNode) parent).set(Integer.parseInt(last), value);
        }
        return bytesOf(root);
    }

    /** Pointers of every string in the document. */
    static List<String> stringPointers(JsonNode root) {
        List<String> pointers = new ArrayList<>();
        collectStrings(root, "", pointers);
        return pointers;
    }

    private static void collectStrings(JsonNode node, String at, List<String> pointers) {
        if (node.isTextual()) {
            pointers.add(at);
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> collectStrings(e.getValue(), at + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), pointers));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectStrings(node.get(i), at + "/" + i, pointers);
            }
        }
    }

    private static void collectNames(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                names.add(e.getKey());
                collectNames(e.getValue(), names);
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectNames(n, names));
        }
    }

    static byte[] insert(byte[] body, int at, byte[] inserted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + inserted.length);
        out.write(body, 0, at);
        out.write(inserted, 0, inserted.length);
        out.write(body, at, body.length - at);
        return out.toByteArray();
    }

    static int lastIndexOf(byte[] bytes, byte b) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalStateException("no '" + (char) b + "' in the payload");
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    /** Checks, once, that every field named for a sender is in its payload. */
    static void checkCatalog() {
        for (Sender s : WebhookSenders.ALL) {
            JsonNode root = tree(s.payload());
            Stream.concat(s.fields().stream().map(Field::pointer), s.checked().stream()).forEach(p -> {
                if (root.at(p).isMissingNode()) {
                    throw new IllegalStateException(s.name() + ": the payload has nothing at " + p);
                }
            });
        }
    }

    private WebhookMutations() {
    }
}
