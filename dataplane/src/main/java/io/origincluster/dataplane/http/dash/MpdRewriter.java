package io.origincluster.dataplane.http.dash;

import io.origincluster.dataplane.http.hls.PlaylistRewriter;
import java.io.StringReader;
import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Rewrites a DASH MPD so every segment the origin serves can be fetched from any proxy replica: each URL a player
 * requests (SegmentTemplate {@code media}/{@code initialization}/{@code index}, SegmentURL {@code media}/
 * {@code index}, {@code sourceURL} of Initialization and RepresentationIndex, and a BaseURL that names a file) gets
 * the routing token in its query, which templates allow ({@code $Number$}, {@code $Time$} stay as they are). A
 * BaseURL that names a folder ({@code cap/}, as SRS writes) gets no token, since the player resolves the leaf URL
 * against it; one that names the origin's host becomes proxy-relative, one that names another host (a CDN) is left
 * alone. Same URI rules as {@link PlaylistRewriter}.
 *
 * <p>The XML is parsed with DOCTYPEs refused, so no external entity or entity expansion is ever processed.
 */
public final class MpdRewriter {

    private static final String[] TEMPLATE_ATTRS = {"media", "initialization", "index", "bitstreamSwitching"};
    private static final String[] SEGMENT_URL_ATTRS = {"media", "index"};

    private final PlaylistRewriter uris;

    public MpdRewriter(PlaylistRewriter uris) {
        this.uris = uris;
    }

    /** True when the body starts like XML whose root may be an MPD (an HTML error page does not). */
    public static boolean looksLikeMpd(String start) {
        String s = start.stripLeading();
        if (s.startsWith("\uFEFF")) {
            s = s.substring(1);
        }
        return s.startsWith("<?xml") || s.startsWith("<MPD") || s.startsWith("<!--") || s.matches("(?s)^<\\w+:MPD.*");
    }

    /** @throws IllegalArgumentException when the MPD is not well-formed XML, has a DOCTYPE, or its root is not MPD */
    public String rewrite(String mpd) {
        Document doc = parse(mpd);
        Element root = doc.getDocumentElement();
        if (!"MPD".equals(localName(root))) {
            throw new IllegalArgumentException("root element is " + localName(root) + ", not MPD");
        }
        walk(root);
        return serialize(doc);
    }

    public String rewriteUri(String uri) {
        return uris.rewriteUri(uri);
    }

    private void walk(Element e) {
        switch (localName(e)) {
            case "BaseURL" -> {
                String url = e.getTextContent().strip();
                if (!url.isEmpty()) {
                    e.setTextContent(url.endsWith("/") ? uris.localize(url) : uris.rewriteUri(url));
                }
            }
            case "SegmentTemplate" -> rewriteAttrs(e, TEMPLATE_ATTRS);
            case "SegmentURL" -> rewriteAttrs(e, SEGMENT_URL_ATTRS);
            case "Initialization", "RepresentationIndex" -> rewriteAttrs(e, "sourceURL");
            default -> { }
        }
        NodeList children = e.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element child) {
                walk(child);
            }
        }
    }

    private void rewriteAttrs(Element e, String... names) {
        for (String name : names) {
            if (e.hasAttribute(name)) {
                String v = e.getAttribute(name);
                if (!v.isEmpty()) {
                    e.setAttribute(name, uris.rewriteUri(v));
                }
            }
        }
    }

    private static String localName(Node n) {
        String local = n.getLocalName();
        return local != null ? local : n.getNodeName();
    }

    private static Document parse(String mpd) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b.parse(new InputSource(new StringReader(mpd)));
        } catch (SAXException e) {
            throw new IllegalArgumentException("malformed MPD: " + e.getMessage(), e);
        } catch (ParserConfigurationException | java.io.IOException e) {
            throw new IllegalStateException("XML parser unavailable", e);
        }
    }

    private static String serialize(Document doc) {
        try {
            TransformerFactory tf = TransformerFactory.newInstance();
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer t = tf.newTransformer();
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            StringWriter out = new StringWriter();
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot write the MPD back: " + e.getMessage(), e);
        }
    }
}
