package io.emeth.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.emeth.worker.training.GptConfig;
import io.emeth.worker.weights.ModelWeights;
import io.emeth.worker.weights.NamedTensor;
import io.emeth.worker.weights.WeightsCodec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class ResultBundleTest {

    @Test
    void shouldZipTheModelAndChainIdenticallyEveryTime() throws Exception {
        // Given a final model and its chain
        byte[] model =
                WeightsCodec.encode(
                        new ModelWeights(
                                List.of(
                                        new NamedTensor(
                                                "w", new long[] {2}, new float[] {1f, 2f}))));
        String chain =
                ResultBundle.chainJson(
                        "0x0123456789abcdef0123456789abcdef",
                        1,
                        "aa".repeat(32),
                        "bb".repeat(32),
                        List.of(
                                new ResultBundle.Link(
                                        1, "m1.emwt", "cc".repeat(32), 2.5, "dd".repeat(32))));

        // When it is zipped twice
        byte[] once = ResultBundle.zip(model, chain);
        byte[] again = ResultBundle.zip(model, chain);

        // Then the bytes are the same and hold both entries
        assertThat(once).isEqualTo(again);
        Map<String, byte[]> entries = unzip(once);
        assertThat(entries.keySet())
                .containsExactlyInAnyOrder(ResultBundle.MODEL_ENTRY, ResultBundle.CHAIN_ENTRY);
        assertThat(entries.get(ResultBundle.MODEL_ENTRY)).isEqualTo(model);
        JsonNode json =
                new ObjectMapper()
                        .readTree(
                                new String(
                                        entries.get(ResultBundle.CHAIN_ENTRY),
                                        StandardCharsets.UTF_8));
        assertThat(json.get("h0").asText()).isEqualTo("bb".repeat(32));
        assertThat(json.get("datasetSha256").asText()).isEqualTo("aa".repeat(32));
        assertThat(json.get("epochs").get(0).get("link").asText()).isEqualTo("dd".repeat(32));
        assertThat(json.get("epochs").get(0).get("validationLoss").asDouble()).isEqualTo(2.5);
    }

    @Test
    void shouldPredictTheEncodedSizeOfAModelExactly() {
        ModelWeights weights =
                new ModelWeights(
                        List.of(
                                new NamedTensor(
                                        "embedding_weight",
                                        new long[] {256, 8},
                                        new float[256 * 8]),
                                new NamedTensor("é", new long[] {3}, new float[3])));
        assertThat(ModelStore.encodedSize(weights)).isEqualTo(WeightsCodec.encode(weights).length);
        assertThat(GptConfig.tiny().parameterCount()).isPositive();
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
