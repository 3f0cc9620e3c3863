package io.emeth.chain.indexer;

import io.emeth.common.storage.StorageClient;
import io.emeth.common.storage.StorageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data set sizes for {@code JobRequested.datasetSizeBytes}, from the storage API's {@code sizeOf}.
 * A data set the service does not know (or refuses to name) has no size (null), which the event
 * allows; a service that is down fails the call, so the indexer retries the batch rather than
 * publishing a size it never learned.
 */
interface DatasetSizes extends AutoCloseable {
    /** Sizes by data set name; a name maps to null when the service does not know it. */
    Map<String, Long> sizes(Collection<String> datasets) throws IOException, InterruptedException;

    @Override
    default void close() {}

    /** No storage API configured: every size is unknown. */
    static DatasetSizes none() {
        return datasets -> {
            Map<String, Long> sizes = new HashMap<>();
            datasets.forEach(d -> sizes.put(d, null));
            return sizes;
        };
    }

    /**
     * {@code source}, asked once per data set for the life of the answer (one backfill range): the
     * chunks of a range share their data sets, and a size read a moment ago is as good as a new
     * one.
     */
    static DatasetSizes memo(DatasetSizes source) {
        Map<String, Long> known = new HashMap<>();
        return datasets -> {
            synchronized (known) {
                List<String> missing =
                        datasets.stream().filter(d -> !known.containsKey(d)).distinct().toList();
                if (!missing.isEmpty()) {
                    known.putAll(source.sizes(missing));
                }
                Map<String, Long> sizes = new HashMap<>();
                datasets.forEach(d -> sizes.put(d, known.get(d)));
                return sizes;
            }
        };
    }

    /** Sizes from {@code client}, a few requests in parallel. */
    static DatasetSizes from(StorageClient client) {
        return new FromStorage(client);
    }

    /** {@link DatasetSizes} over the storage API client. */
    final class FromStorage implements DatasetSizes {
        private static final Logger log = LoggerFactory.getLogger(DatasetSizes.class);
        private static final int PARALLEL = 4;

        private final StorageClient client;
        private final ExecutorService pool;

        FromStorage(StorageClient client) {
            this.client = client;
            this.pool =
                    Executors.newFixedThreadPool(
                            PARALLEL,
                            r -> {
                                Thread t = new Thread(r, "dataset-sizes");
                                t.setDaemon(true);
                                return t;
                            });
        }

        @Override
        public Map<String, Long> sizes(Collection<String> datasets)
                throws IOException, InterruptedException {
            List<String> names = new ArrayList<>(new LinkedHashSet<>(datasets));
            List<Future<Long>> futures = new ArrayList<>();
            for (String name : names) {
                futures.add(pool.submit(() -> sizeOf(name)));
            }
            Map<String, Long> sizes = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                try {
                    sizes.put(names.get(i), futures.get(i).get());
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("sizeOf " + names.get(i) + " failed", e.getCause());
                }
            }
            return sizes;
        }

        private Long sizeOf(String dataset) throws IOException {
            try {
                return client.sizeOf(dataset);
            } catch (StorageException e) {
                if (e.retryable()) {
                    throw e;
                }
                // 404 and other refusals: the service does not know this name
                log.info(
                        "No size for data set [dataset:{}, status:{}, detail:{}]",
                        dataset,
                        e.status(),
                        e.detail());
                return null;
            } catch (IllegalArgumentException e) {
                log.info("No size for data set [dataset:{}, reason:{}]", dataset, e.getMessage());
                return null;
            }
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }
}
