package dev.cascade.trigger.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignaturesTests {

    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final String GITHUB_VECTOR = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Test
    void githubsOwnTestVectorVerifies() {
        assertThat(Signatures.hmacSha256Hex("It's a Secret to Everybody", BODY)).isEqualTo(GITHUB_VECTOR);
        assertThat(Signatures.verify(new Credential.HmacSha256(GITHUB_VECTOR), List.of("It's a Secret to Everybody"), BODY).ok()).isTrue();
        assertThat(Signatures.verify(new Credential.HmacSha256(GITHUB_VECTOR.toUpperCase()), List.of("It's a Secret to Everybody"), BODY).ok()).isTrue();
    }

    @Test
    void aSignatureOverOtherBytesFails() {
        byte[] reserialised = "Hello,  World!".getBytes(StandardCharsets.UTF_8);
        var verdict = Signatures.verify(new Credential.HmacSha256(GITHUB_VECTOR), List.of("It's a Secret to Everybody"), reserialised);
        assertThat(verdict.ok()).isFalse();
        assertThat(verdict.reason()).isEqualTo("signature does not match the body").doesNotContain("Secret");
    }

    @Test
    void eitherOfTwoActiveSecretsVerifiesDuringRotation() {
        List<String> rotating = List.of("old-secret-0123456789", "It's a Secret to Everybody");
        assertThat(Signatures.verify(new Credential.HmacSha256(GITHUB_VECTOR), rotating, BODY).ok()).isTrue();
        assertThat(Signatures.verify(new Credential.HmacSha256(GITHUB_VECTOR), List.of("old-secret-0123456789"), BODY).ok()).isFalse();
    }

    @Test
    void tokensCompareWithOrWithoutBearerPrefix() {
        assertThat(Signatures.verify(new Credential.Token("Bearer abc-token"), List.of("abc-token"), BODY).ok()).isTrue();
        assertThat(Signatures.verify(new Credential.Token("abc-token"), List.of("abc-token"), BODY).ok()).isTrue();
        assertThat(Signatures.verify(new Credential.Token("abc-token2"), List.of("abc-token"), BODY).ok()).isFalse();
    }

    @Test
    void missingSignatureOrNoSecretIsRefusedButUnsignedSendersPass() {
        assertThat(Signatures.verify(new Credential.Missing("X-Hub-Signature-256"), List.of("s"), BODY).reason())
                .isEqualTo("no signature: X-Hub-Signature-256 is missing");
        assertThat(Signatures.verify(new Credential.HmacSha256(GITHUB_VECTOR), List.of(), BODY).reason())
                .contains("no secret is configured");
        assertThat(Signatures.verify(new Credential.Unsigned(), List.of(), BODY).ok()).isTrue();
    }
}
