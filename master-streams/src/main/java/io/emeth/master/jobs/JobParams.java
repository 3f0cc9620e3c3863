package io.emeth.master.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.emeth.master.routing.Inputs;
import java.util.Locale;

/**
 * A job's {@code param} as the requester wrote it on chain, {@code {"language": "en"|"ja", "epoch":
 * N}}: free text that must be checked before it drives training. Missing keys take defaults
 * (English, the master's {@code n_epochs}); anything else is a problem naming the key.
 *
 * @param problem null when the param is usable
 */
public record JobParams(String language, int epochs, String problem) {
    public static final int MAX_PARAM_CHARS = 4_096;
    public static final int MAX_EPOCHS = 1_000;

    private static final ObjectMapper JSON =
            JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    static {
        JSON.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder()
                                .maxNestingDepth(16)
                                .maxNumberLength(40)
                                .maxStringLength(MAX_PARAM_CHARS)
                                .build());
    }

    public static JobParams parse(String param, int defaultEpochs) {
        if (param == null || param.isBlank()) {
            return new JobParams("en", defaultEpochs, null);
        }
        if (param.length() > MAX_PARAM_CHARS) {
            return invalid(
                    "param is " + param.length() + " characters, more than " + MAX_PARAM_CHARS);
        }
        JsonNode root;
        try {
            root = JSON.readTree(param);
        } catch (JsonProcessingException e) {
            return invalid(
                    "param is not JSON ("
                            + Inputs.clip(e.getOriginalMessage(), 120)
                            + "): '"
                            + Inputs.clip(param, 80)
                            + "'");
        }
        if (root == null || !root.isObject()) {
            return invalid(
                    "param must be a JSON object such as {\"language\": \"en\", \"epoch\": 2}");
        }
        String language = "en";
        JsonNode lang = root.get("language");
        if (lang != null && !lang.isNull()) {
            String text = lang.isTextual() ? lang.asText().toLowerCase(Locale.ROOT) : "";
            if (!text.equals("en") && !text.equals("ja")) {
                return invalid(
                        "param.language must be \"en\" or \"ja\", got "
                                + Inputs.clip(lang.toString(), 40));
            }
            language = text;
        }
        int epochs = defaultEpochs;
        JsonNode epoch = root.get("epoch");
        if (epoch != null && !epoch.isNull()) {
            if (!epoch.isIntegralNumber()
                    || !epoch.canConvertToLong()
                    || epoch.asLong() < 1
                    || epoch.asLong() > MAX_EPOCHS) {
                return invalid(
                        "param.epoch must be a whole number from 1 to "
                                + MAX_EPOCHS
                                + ", got "
                                + Inputs.clip(epoch.toString(), 40));
            }
            epochs = epoch.intValue();
        }
        return new JobParams(language, epochs, null);
    }

    private static JobParams invalid(String problem) {
        return new JobParams(null, 0, problem);
    }
}
