package dev.cascade.trigger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading untrusted webhook JSON: a body that is not UTF-8 is malformed, wherever the offending bytes stand. */
class JsonTests {

    @ParameterizedTest
    @ValueSource(strings = {"ff", "fe", "80", "c328", "e228a1", "c080", "eda080"})
    void bodyThatIsNotUtf8IsMalformedEvenInAFieldNameTheParserKnows(String hex) {
        ObjectMapper mapper = new ObjectMapper();
        byte[] valid = "{\"type\":\"Git\",\"git\":{\"uri\":\"x\"}}".getBytes(StandardCharsets.UTF_8);
        // the parser now knows the name "git"; a stray byte before it was read as that name
        assertThat(Json.object(mapper, valid).has("git")).isTrue();
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        byte[] body = new byte[valid.length + bad.length];
        System.arraycopy(valid, 0, body, 0, 15);
        System.arraycopy(bad, 0, body, 15, bad.length);
        System.arraycopy(valid, 15, body, 15 + bad.length, valid.length - 15);
        assertThatThrownBy(() -> Json.object(mapper, body)).isInstanceOf(MalformedWebhookException.class)
                .hasMessageStartingWith("body is not UTF-8");
    }
}
