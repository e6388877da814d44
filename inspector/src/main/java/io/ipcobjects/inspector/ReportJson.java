package io.ipcobjects.inspector;

import io.ipcobjects.HeapStats;
import io.ipcobjects.RegionReport;
import io.ipcobjects.RegionReport.LockHolder;
import io.ipcobjects.RegionReport.NamedObject;
import io.ipcobjects.RegionReport.ProcessEntry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON form of a report, built field by field: the field names here are the tool's contract
 * with scripts, kept apart from the Java record's. Times are ISO-8601 strings, sizes bytes, and
 * a missing part ({@code heap}, a free lock's {@code owner}) is {@code null}.
 */
final class ReportJson {
    private ReportJson() {
    }

    static final ObjectMapper MAPPER = new ObjectMapper();

    static ObjectNode report(RegionReport report) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("path", report.path().toString());
        node.put("inspectedAt", report.inspectedAt().toString());
        node.put("sizeBytes", report.sizeBytes());
        node.put("layoutVersion", report.layoutVersion());
        node.put("state", report.state().name());
        node.put("damage", report.damage());
        node.put("creatorPid", report.creatorPid());
        node.put("createdAt", report.createdAt().toString());
        node.put("anyoneAttached", report.anyoneAttached());
        ArrayNode processes = node.putArray("processes");
        for (ProcessEntry p : report.processes()) {
            ObjectNode entry = processes.addObject();
            entry.put("slot", p.slot());
            entry.put("generation", p.generation());
            entry.put("pid", p.pid());
            entry.put("startTicks", p.startTicks());
            entry.put("pidNamespace", p.pidNamespace());
            entry.put("role", p.role());
            entry.put("attachedAt", p.attachedAt().toString());
            entry.put("liveness", p.liveness().name());
            ObjectNode stats = entry.putObject("stats");
            stats.put("lockAcquisitions", p.stats().lockAcquisitions());
            stats.put("lockWaits", p.stats().lockWaits());
            stats.put("lockHandOffs", p.stats().lockHandOffs());
            stats.put("lockTakeovers", p.stats().lockTakeovers());
            stats.put("messagesPut", p.stats().messagesPut());
            stats.put("messagesTaken", p.stats().messagesTaken());
            stats.put("bytesAllocated", p.stats().bytesAllocated());
            stats.put("bytesFreed", p.stats().bytesFreed());
            stats.put("objectsHeld", p.stats().objectsHeld());
            stats.put("bytesHeld", p.stats().bytesHeld());
        }
        ObjectNode lock = node.putObject("lock");
        holder(lock, "owner", report.lock().owner());
        holder(lock, "successor", report.lock().successor());
        lock.put("takeovers", report.lock().takeovers());
        if (report.heap() == null) {
            node.putNull("heap");
        } else {
            heap(node.putObject("heap"), report.heap());
        }
        node.put("messages", report.messages());
        ArrayNode names = node.putArray("names");
        for (NamedObject named : report.names()) {
            ObjectNode entry = names.addObject();
            entry.put("name", named.name());
            entry.put("kind", named.kind());
            entry.put("dtype", named.dtype() == null ? null : named.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            named.shape().forEach(shape::add);
            entry.put("bytes", named.bytes());
        }
        ArrayNode types = node.putArray("registeredTypes");
        report.registeredTypes().forEach(types::add);
        ArrayNode notes = node.putArray("notes");
        report.notes().forEach(notes::add);
        return node;
    }

    /** The fields of a {@code list} line. */
    static void summary(ObjectNode node, RegionReport report) {
        node.put("state", report.state().name());
        node.put("damage", report.damage());
        node.put("sizeBytes", report.sizeBytes());
        node.put("processesAlive", report.aliveProcesses());
        node.put("processes", report.processes().size());
        node.put("lockHeld", report.lock().owner() != null);
        node.put("messages", report.messages());
        node.put("names", report.names().size());
        if (report.heap() == null) {
            node.putNull("heapUsedBytes");
        } else {
            node.put("heapUsedBytes", report.heap().usedBytes());
        }
        node.put("notes", report.notes().size());
    }

    static void heap(ObjectNode node, HeapStats heap) {
        node.put("heapBytes", heap.heapBytes());
        node.put("usedBytes", heap.usedBytes());
        node.put("usedBlocks", heap.usedBlocks());
        node.put("freeBytes", heap.freeBytes());
        node.put("freeBlocks", heap.freeBlocks());
        node.put("largestFreeBlock", heap.largestFreeBlock());
        node.put("fragmentation", heap.fragmentation());
    }

    private static void holder(ObjectNode lock, String field, LockHolder holder) {
        if (holder == null) {
            lock.putNull(field);
            return;
        }
        ObjectNode node = lock.putObject(field);
        node.put("slot", holder.slot());
        node.put("pid", holder.pid());
        node.put("alive", holder.alive());
    }

    static String pretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
