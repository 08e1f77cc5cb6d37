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

    /** RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256): key "Jefe". */
    private static final byte[] RFC_DATA = "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8);
    private static final String RFC2202_SHA1 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
    private static final String RFC4231_SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    @Test
    void nexusHmacSha1VerifiesAgainstTheRfcVector() {
        assertThat(Signatures.verify(new Credential.HmacSha1(RFC2202_SHA1), List.of("Jefe"), RFC_DATA).ok()).isTrue();
        assertThat(Signatures.verify(new Credential.HmacSha1(RFC2202_SHA1.toUpperCase()), List.of("Jefe"), RFC_DATA).ok()).isTrue();
        var wrong = Signatures.verify(new Credential.HmacSha1(RFC2202_SHA1), List.of("jefe"), RFC_DATA);
        assertThat(wrong.ok()).isFalse();
        assertThat(wrong.reason()).isEqualTo("signature does not match the body");
        // the SHA-256 HMAC of the same body is no SHA-1 signature
        assertThat(Signatures.verify(new Credential.HmacSha1(RFC4231_SHA256), List.of("Jefe"), RFC_DATA).ok()).isFalse();
    }

    @Test
    void artifactoryAuthIsTheSecretItselfOrTheHmacSha256OfTheBody() {
        assertThat(Signatures.verify(new Credential.SecretOrHmacSha256("Jefe"), List.of("Jefe"), RFC_DATA).ok()).isTrue();
        assertThat(Signatures.verify(new Credential.SecretOrHmacSha256(RFC4231_SHA256), List.of("Jefe"), RFC_DATA).ok()).isTrue();
        var other = Signatures.verify(new Credential.SecretOrHmacSha256(RFC4231_SHA256), List.of("Jefe"), BODY);
        assertThat(other.ok()).isFalse();
        assertThat(other.reason()).isEqualTo("neither the secret nor a signature of the body").doesNotContain("Jefe");
        assertThat(Signatures.verify(new Credential.SecretOrHmacSha256("Bearer Jefe"), List.of("Jefe"), RFC_DATA).ok()).isFalse();
        assertThat(Signatures.verify(new Credential.SecretOrHmacSha256(RFC2202_SHA1), List.of("Jefe"), RFC_DATA).ok()).isFalse();
    }
}
