package dev.cascade.testsupport;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;

/** Makes every {@code @QuarkusTest}'s RestAssured calls to {@code /api} authenticate as an operator. */
public class AuthenticatedRestAssured implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        TestTokens.authenticateRestAssured();
    }
}
