"""What the bot says to a resident who writes in another language (retrieval/language.py).

Every fixed text of the bot in each language the bot speaks; Japanese stays in replies.py, and the
builders here mirror its answer / candidates / no-answer with these texts. An entry's answer is
the staff's translation into the resident's language where there is one (faq.entries
TRANSLATION_FIELDS); otherwise the city's Japanese text, preceded by one line in the resident's
language saying so and followed by the やさしい日本語 answer when there is one. Kept apart from replies.py so that the Japanese
replies, and whoever changes them, are not touched by this.
"""
from __future__ import annotations

from collections.abc import Sequence

from linebot.v3.messaging import QuickReply, TextMessage

from bot import replies
from common.line_text import line_length
from faq.live import EntryView
from retrieval.language import FOREIGN, JAPANESE

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello. This is the city hall's FAQ chatbot. Send your question in your own words.\n"
                 "(Example) \"Where can I get a residence certificate?\"",
        "welcome": "You're welcome. Send another question any time.",
        "unreadable": "Sorry, I could not read your question. Please send it as a sentence.\n"
                      "(Example) \"Where can I get a residence certificate?\"",
        "text_only": "Sorry, this chatbot can only answer questions sent as text. It cannot read stickers "
                     "or pictures. Please type your question.",
        "candidates_intro": "Did you mean one of these?",
        "choose_below": "Please choose from the buttons below.",
        "none_of_these": "None of these",
        "feedback": "Was this answer helpful?",
        "related": "If this is not what you were looking for, see the questions on the buttons below.",
        "up": "👍 Helpful",
        "down": "👎 Not helpful",
        "thanks_up": "Thank you. We are glad it helped.",
        "thanks_down": "Thank you for your feedback.\nCity staff will read it and use it to improve the answers.\n",
        "no_answer": "Sorry, we could not find an answer.\nPlease try again in other words.\n",
        "urgent": "If it is urgent, please contact:\n",
        "in_japanese": "This answer is only available in Japanese.",
        "details": "More information",
        "not_ready": "The information about \"{question}\" is being prepared.\nPlease ask {department}.\n{contact}",
        "can_ask": "You can ask in English.",
    },
    "zh": {
        "hello": "您好。这是市政府常见问题的自动回答机器人。请用平常的话发送您的问题。\n（例）“在哪里可以开住民票？”",
        "welcome": "不客气。有其他问题，请随时发送。",
        "unreadable": "对不起，无法读取您的问题。请用文字发送您想知道的事情。\n（例）“在哪里可以开住民票？”",
        "text_only": "对不起，本聊天机器人只能回答用文字发送的问题，无法读取贴图或图片。请用文字发送您的问题。",
        "candidates_intro": "您要找的是以下哪一个？",
        "choose_below": "请从下面的按钮中选择。",
        "none_of_these": "都不是",
        "feedback": "这个回答对您有帮助吗？",
        "related": "如果不是您要找的内容，请看下面按钮中的问题。",
        "up": "👍 有帮助",
        "down": "👎 没有帮助",
        "thanks_up": "谢谢。很高兴能帮到您。",
        "thanks_down": "感谢您的意见。\n负责的职员会确认，并用于改进回答。\n",
        "no_answer": "对不起，没有找到可以回答的信息。\n请换一种说法再试一次。\n",
        "urgent": "如有急事，请联系：\n",
        "in_japanese": "此回答只有日语版本。",
        "details": "详细信息",
        "not_ready": "关于“{question}”的说明正在准备中。\n请向{department}咨询。\n{contact}",
        "can_ask": "可以用中文提问。",
    },
    "ko": {
        "hello": "안녕하세요. 시청에 자주 묻는 질문에 자동으로 답변하는 챗봇입니다. 알고 싶은 것을 평소 말로 보내 주세요.\n"
                 "(예) \"주민표는 어디서 받을 수 있나요?\"",
        "welcome": "천만에요. 궁금한 것이 있으면 언제든지 보내 주세요.",
        "unreadable": "죄송합니다. 질문 내용을 읽을 수 없었습니다. 알고 싶은 것을 문장으로 보내 주세요.\n"
                      "(예) \"주민표는 어디서 받을 수 있나요?\"",
        "text_only": "죄송합니다. 이 챗봇은 글자로 보낸 질문에만 답변할 수 있습니다. 스티커나 사진은 읽을 수 없습니다. "
                     "질문을 글자로 보내 주세요.",
        "candidates_intro": "혹시 다음 중 하나인가요?",
        "choose_below": "아래 버튼에서 선택해 주세요.",
        "none_of_these": "해당 없음",
        "feedback": "이 답변이 도움이 되었나요?",
        "related": "찾으시는 내용이 아니면 아래 버튼의 질문도 확인해 주세요.",
        "up": "👍 도움이 됨",
        "down": "👎 도움이 안 됨",
        "thanks_up": "감사합니다. 도움이 되어 기쁩니다.",
        "thanks_down": "의견 감사합니다.\n담당 직원이 확인하여 답변 개선에 활용하겠습니다.\n",
        "no_answer": "죄송합니다. 답변할 수 있는 정보를 찾지 못했습니다.\n다른 말로 다시 보내 주세요.\n",
        "urgent": "급한 경우에는 여기로 문의해 주세요.\n",
        "in_japanese": "이 답변은 일본어로만 제공됩니다.",
        "details": "자세한 내용",
        "not_ready": "\"{question}\"에 대한 안내는 현재 준비 중입니다.\n{department}에 문의해 주세요.\n{contact}",
        "can_ask": "한국어로 질문할 수 있습니다.",
    },
    "vi": {
        "hello": "Xin chào. Đây là chatbot tự động trả lời các câu hỏi thường gặp của tòa thị chính. "
                 "Hãy gửi câu hỏi bằng lời của bạn.\n(Ví dụ) \"Tôi có thể lấy phiếu cư trú (juminhyo) ở đâu?\"",
        "welcome": "Không có gì. Nếu còn câu hỏi, hãy gửi bất cứ lúc nào.",
        "unreadable": "Xin lỗi, chúng tôi không đọc được câu hỏi của bạn. Hãy gửi điều bạn muốn biết bằng một câu.\n"
                      "(Ví dụ) \"Tôi có thể lấy phiếu cư trú ở đâu?\"",
        "text_only": "Xin lỗi, chatbot này chỉ trả lời câu hỏi gửi bằng chữ. Chúng tôi không đọc được nhãn dán "
                     "(sticker) hay hình ảnh. Hãy gửi câu hỏi bằng chữ.",
        "candidates_intro": "Có phải bạn muốn hỏi một trong những câu sau?",
        "choose_below": "Hãy chọn từ các nút bên dưới.",
        "none_of_these": "Không phải câu nào",
        "feedback": "Câu trả lời này có hữu ích không?",
        "related": "Nếu không phải điều bạn tìm, hãy xem các câu hỏi ở nút bên dưới.",
        "up": "👍 Hữu ích",
        "down": "👎 Không hữu ích",
        "thanks_up": "Cảm ơn bạn. Chúng tôi rất vui vì đã giúp được.",
        "thanks_down": "Cảm ơn ý kiến của bạn.\nNhân viên phụ trách sẽ xem và dùng để cải thiện câu trả lời.\n",
        "no_answer": "Xin lỗi, chúng tôi không tìm thấy thông tin để trả lời.\nHãy thử gửi lại bằng cách nói khác.\n",
        "urgent": "Nếu gấp, hãy liên hệ:\n",
        "in_japanese": "Câu trả lời này chỉ có bằng tiếng Nhật.",
        "details": "Thông tin chi tiết",
        "not_ready": "Thông tin về \"{question}\" đang được chuẩn bị.\nHãy hỏi {department}.\n{contact}",
        "can_ask": "Bạn có thể hỏi bằng tiếng Việt.",
    },
    "pt": {
        "hello": "Olá. Este é o chatbot que responde às perguntas frequentes da prefeitura. "
                 "Envie sua pergunta com suas palavras.\n(Exemplo) \"Onde posso tirar o atestado de residência (juminhyo)?\"",
        "welcome": "De nada. Se tiver outra pergunta, envie quando quiser.",
        "unreadable": "Desculpe, não conseguimos ler sua pergunta. Envie o que deseja saber em uma frase.\n"
                      "(Exemplo) \"Onde posso tirar o atestado de residência?\"",
        "text_only": "Desculpe, este chatbot só responde perguntas enviadas por texto. Não consegue ler figurinhas "
                     "nem imagens. Envie sua pergunta por texto.",
        "candidates_intro": "Você quis dizer uma destas perguntas?",
        "choose_below": "Escolha nos botões abaixo.",
        "none_of_these": "Nenhuma destas",
        "feedback": "Esta resposta foi útil?",
        "related": "Se não for o que procura, veja também as perguntas nos botões abaixo.",
        "up": "👍 Foi útil",
        "down": "👎 Não foi útil",
        "thanks_up": "Obrigado. Ficamos felizes em ajudar.",
        "thanks_down": "Obrigado pela sua opinião.\nUm funcionário vai verificá-la e usá-la para melhorar as respostas.\n",
        "no_answer": "Desculpe, não encontramos informações para responder.\nTente de novo com outras palavras.\n",
        "urgent": "Se for urgente, entre em contato com:\n",
        "in_japanese": "Esta resposta só está disponível em japonês.",
        "details": "Mais informações",
        "not_ready": "As informações sobre \"{question}\" estão sendo preparadas.\nConsulte {department}.\n{contact}",
        "can_ask": "Você pode perguntar em português.",
    },
    "tl": {
        "hello": "Magandang araw. Ito ang chatbot na sumasagot sa mga madalas itanong sa city hall. "
                 "Ipadala ang inyong tanong sa sarili ninyong salita.\n"
                 "(Halimbawa) \"Saan ako makakakuha ng residence certificate (juminhyo)?\"",
        "welcome": "Walang anuman. Magpadala lang ng tanong anumang oras.",
        "unreadable": "Paumanhin, hindi namin mabasa ang inyong tanong. Isulat ang gusto ninyong malaman "
                      "sa isang pangungusap.\n(Halimbawa) \"Saan ako makakakuha ng residence certificate?\"",
        "text_only": "Paumanhin, sumasagot lang ang chatbot na ito sa mga tanong na isinulat. Hindi nito mabasa "
                     "ang sticker o larawan. Isulat po ang inyong tanong.",
        "candidates_intro": "Ito ba ang ibig ninyong sabihin?",
        "choose_below": "Pumili sa mga button sa ibaba.",
        "none_of_these": "Wala sa mga ito",
        "feedback": "Nakatulong ba ang sagot na ito?",
        "related": "Kung hindi ito ang hinahanap ninyo, tingnan ang mga tanong sa mga button sa ibaba.",
        "up": "👍 Nakatulong",
        "down": "👎 Hindi nakatulong",
        "thanks_up": "Salamat po. Natutuwa kaming nakatulong.",
        "thanks_down": "Salamat po sa inyong puna.\nTitingnan ito ng kawani at gagamitin para mapabuti ang mga sagot.\n",
        "no_answer": "Paumanhin, wala kaming nahanap na sagot.\nSubukang ipadala muli gamit ang ibang salita.\n",
        "urgent": "Kung apurahan, makipag-ugnayan dito:\n",
        "in_japanese": "Nasa wikang Hapon lang ang sagot na ito.",
        "details": "Karagdagang impormasyon",
        "not_ready": "Inihahanda pa ang impormasyon tungkol sa \"{question}\".\nMagtanong po sa {department}.\n{contact}",
        "can_ask": "Puwede kayong magtanong sa Filipino.",
    },
    "ne": {
        "hello": "नमस्ते। यो सिटी हलमा धेरै सोधिने प्रश्नहरूको स्वचालित जवाफ दिने च्याटबोट हो। "
                 "आफ्नो प्रश्न सामान्य भाषामा पठाउनुहोस्।\n(उदाहरण) \"निवासी प्रमाणपत्र (जुमिन्ह्यो) कहाँ पाइन्छ?\"",
        "welcome": "स्वागत छ। अरू प्रश्न भए जुनसुकै बेला पठाउनुहोस्।",
        "unreadable": "माफ गर्नुहोस्, तपाईंको प्रश्न पढ्न सकिएन। जान्न चाहेको कुरा वाक्यमा पठाउनुहोस्।\n"
                      "(उदाहरण) \"निवासी प्रमाणपत्र कहाँ पाइन्छ?\"",
        "text_only": "माफ गर्नुहोस्, यो च्याटबोटले अक्षरमा लेखिएका प्रश्नको मात्र जवाफ दिन्छ। स्टिकर वा तस्बिर "
                     "पढ्न सक्दैन। आफ्नो प्रश्न लेखेर पठाउनुहोस्।",
        "candidates_intro": "के तपाईंले यीमध्ये कुनै एक सोध्न खोज्नुभएको हो?",
        "choose_below": "तलका बटनबाट छान्नुहोस्।",
        "none_of_these": "कुनै पनि होइन",
        "feedback": "के यो जवाफ उपयोगी भयो?",
        "related": "तपाईंले खोजेको कुरा होइन भने, तलका बटनका प्रश्नहरू पनि हेर्नुहोस्।",
        "up": "👍 उपयोगी भयो",
        "down": "👎 उपयोगी भएन",
        "thanks_up": "धन्यवाद। सहयोग गर्न पाउँदा खुसी लाग्यो।",
        "thanks_down": "तपाईंको सुझावका लागि धन्यवाद।\nजिम्मेवार कर्मचारीले हेरेर जवाफ सुधार्न प्रयोग गर्नेछन्।\n",
        "no_answer": "माफ गर्नुहोस्, जवाफ दिन सकिने जानकारी भेटिएन।\nअर्को शब्दमा फेरि पठाएर हेर्नुहोस्।\n",
        "urgent": "तुरुन्त चाहिएमा यहाँ सम्पर्क गर्नुहोस्:\n",
        "in_japanese": "यो जवाफ जापानी भाषामा मात्र उपलब्ध छ।",
        "details": "थप जानकारी",
        "not_ready": "\"{question}\" सम्बन्धी जानकारी तयार हुँदैछ।\n{department} मा सोध्नुहोस्।\n{contact}",
        "can_ask": "नेपालीमा पनि प्रश्न सोध्न सक्नुहुन्छ।",
    },
    "id": {
        "hello": "Halo. Ini adalah chatbot yang menjawab pertanyaan yang sering diajukan ke balai kota. "
                 "Kirim pertanyaan Anda dengan kata-kata sehari-hari.\n"
                 "(Contoh) \"Di mana saya bisa mendapatkan surat keterangan penduduk (juminhyo)?\"",
        "welcome": "Sama-sama. Jika ada pertanyaan lain, kirim kapan saja.",
        "unreadable": "Maaf, kami tidak dapat membaca pertanyaan Anda. Kirim apa yang ingin Anda ketahui "
                      "dalam bentuk kalimat.\n(Contoh) \"Di mana saya bisa mendapatkan juminhyo?\"",
        "text_only": "Maaf, chatbot ini hanya dapat menjawab pertanyaan dalam bentuk teks. Stiker dan gambar "
                     "tidak dapat dibaca. Silakan ketik pertanyaan Anda.",
        "candidates_intro": "Apakah maksud Anda salah satu dari ini?",
        "choose_below": "Silakan pilih dari tombol di bawah.",
        "none_of_these": "Tidak ada yang cocok",
        "feedback": "Apakah jawaban ini membantu?",
        "related": "Jika bukan yang Anda cari, lihat juga pertanyaan pada tombol di bawah.",
        "up": "👍 Membantu",
        "down": "👎 Tidak membantu",
        "thanks_up": "Terima kasih. Kami senang bisa membantu.",
        "thanks_down": "Terima kasih atas masukan Anda.\nPetugas akan memeriksanya untuk memperbaiki jawaban.\n",
        "no_answer": "Maaf, kami tidak menemukan informasi untuk menjawab.\nCoba kirim lagi dengan kata-kata lain.\n",
        "urgent": "Jika mendesak, hubungi:\n",
        "in_japanese": "Jawaban ini hanya tersedia dalam bahasa Jepang.",
        "details": "Informasi lebih lanjut",
        "not_ready": "Informasi tentang \"{question}\" sedang disiapkan.\nSilakan tanyakan ke {department}.\n{contact}",
        "can_ask": "Anda bisa bertanya dalam bahasa Indonesia.",
    },
}
# Sent after the Japanese greeting to a new friend, whose language is not known yet.
CAN_ASK = "\n".join(TEXTS[language]["can_ask"] for language in FOREIGN)


def speaks(language: str | None) -> bool:
    """Whether replies to this language come from here (not the Japanese ones)."""
    return language in TEXTS


def text(language: str, key: str) -> str:
    return TEXTS[language][key]


def excluded_reply(language: str, kind: str | None) -> list[TextMessage]:
    """A greeting or thanks gets a kind word; anything else without a question, how to ask."""
    key = {"greeting": "hello", "thanks": "welcome"}.get(kind or "", "unreadable")
    return replies.plain(text(language, key))


EASY_HEADING = "【やさしい にほんご】"


def question(entry: EntryView, language: str) -> str:
    """The entry's question as the resident reads it: the staff's translation, else the Japanese."""
    return entry.translated(f"question_{language}") or entry.question


def answer(entry: EntryView, message_id: int, language: str,
           related: Sequence[EntryView] = ()) -> list[TextMessage]:
    """The entry's answer in the resident's language, or the Japanese one after a line saying it
    is in Japanese (and the やさしい日本語 one after it, when written); then its link."""
    link = f"\n\n{text(language, 'details')}: {entry.url}" if entry.url else ""
    translated = entry.translated(f"answer_{language}")
    if translated:
        body = replies.fit(translated, replies.MAX_TEXT - line_length(link)) + link
    else:
        head = text(language, "in_japanese") + "\n\n"
        easy = entry.translated("answer_easy")
        japanese = entry.answer + (f"\n\n{EASY_HEADING}\n{easy}" if easy else "")
        body = head + replies.fit(japanese, replies.MAX_TEXT - line_length(head + link)) + link
    return [TextMessage(text=body), feedback_request(message_id, language, related[:replies.MAX_RELATED])]


def feedback_request(message_id: int, language: str, related: Sequence[EntryView] = ()) -> TextMessage:
    items = [replies._postback(text(language, "up"), {"fb": "up", "m": message_id}),
             replies._postback(text(language, "down"), {"fb": "down", "m": message_id})]
    items += [replies._postback(question(e, language), {"pick": index, "m": message_id},
                                display=question(e, language)) for index, e in enumerate(related, start=1)]
    body = text(language, "feedback") + ("\n" + text(language, "related") if related else "")
    return TextMessage(text=body, quick_reply=QuickReply(items=items))


def candidates(entries: list[EntryView], message_id: int, language: str) -> list[TextMessage]:
    """「もしかして」 in the resident's language, each entry's question translated where staff did."""
    entries = entries[:replies.MAX_CANDIDATES]
    lines = [text(language, "candidates_intro")]
    lines += [f"{number}. {question(entry, language)}" for number, entry in enumerate(entries, 1)]
    lines.append(text(language, "choose_below"))
    items = [replies._postback(question(entry, language), {"pick": index, "m": message_id},
                               display=question(entry, language)) for index, entry in enumerate(entries)]
    items.append(replies._postback(text(language, "none_of_these"), {"none": 1, "m": message_id}))
    return [TextMessage(text=replies.fit("\n".join(lines), replies.MAX_TEXT), quick_reply=QuickReply(items=items))]


def not_ready(entry: EntryView, contact: str, language: str) -> list[TextMessage]:
    department = entry.department or "担当窓口"
    return replies.plain(text(language, "not_ready").format(question=entry.question, department=department,
                                                            contact=contact))


def no_answer(contact: str, language: str) -> list[TextMessage]:
    return replies.plain(text(language, "no_answer") + text(language, "urgent") + contact)


def thanks(feedback: str, contact: str, language: str) -> list[TextMessage]:
    if feedback == "up":
        return replies.plain(text(language, "thanks_up"))
    return replies.plain(text(language, "thanks_down") + text(language, "urgent") + contact)


__all__ = ["CAN_ASK", "JAPANESE", "TEXTS", "answer", "candidates", "excluded_reply", "feedback_request",
           "no_answer", "not_ready", "speaks", "text", "thanks"]
