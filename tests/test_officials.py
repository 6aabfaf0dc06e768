"""Officials: merging person mentions, title-only subjects, institutions and deduplication.

Documents are written in the annotators' markup; relations come from the
rules of :mod:`persnews.relations` unless a test gives them, so each test
reads as a small news item.
"""

from __future__ import annotations

import pytest
import torch

from persnews.data.authoring import parse_markup
from persnews.document import Official, Position, Relation
from persnews.normalization import normalize
from persnews.officials import build_officials, title_examples
from persnews.relation_scorer import LogisticModel
from persnews.relations import extract_relations
from persnews.segmentation import sentences


def officials_of(markup: str, relations: list[tuple[int, int, int | None]] | None = None) -> list[Official]:
    doc = parse_markup("### t\n" + markup)[0]
    sents = sentences(normalize(doc.text))
    found = ([Relation(*r) for r in relations] if relations is not None
             else extract_relations(doc.text, sents, doc.entities))
    return build_officials(doc.text, sents, doc.entities, found)


def facts(officials: list[Official]) -> set[tuple[str, str, str | None]]:
    return {(o.name, p.role, p.institution) for o in officials for p in o.positions}


# --- people -----------------------------------------------------------------------------------------

def test_surname_mention_joins_the_full_name():
    officials = officials_of("[[PER|حسین نوری]] آمد.\n[[PER|نوری]]، [[ROLE|معاون فنی]] [[ORG|شهرداری شیراز]] گفت: بله.")
    assert facts(officials) == {("حسین نوری", "معاون فنی", "شهرداری شیراز")}


def test_first_name_mention_joins_the_full_name():
    officials = officials_of("[[PER|مریم احمدی]] آمد.\n[[ROLE|سخنگوی]] [[ORG|شورا]]، [[PER|مریم]] گفت: بله.")
    assert facts(officials) == {("مریم احمدی", "سخنگوی", "شورا")}


def test_zwnj_spaces_and_arabic_letters_do_not_split_a_person():
    markup = ("[[PER|علی‌رضا کاظمي]]، [[ROLE|شهردار]] [[LOC|قم]] گفت: بله.\n"
              "[[PER|علیرضا کاظمی]]، [[ROLE|رئیس]] [[ORG|ستاد بحران]] هم هست.\n"
              "[[PER|علی رضا کاظمی]] افزود: نه.")
    (official,) = officials_of(markup)
    assert official.name == "علی‌رضا کاظمي"
    assert [(p.role, p.institution) for p in official.positions] == [("شهردار", "قم"), ("رئیس", "ستاد بحران")]


def test_fullest_mention_names_the_person_even_when_it_comes_later():
    officials = officials_of("[[PER|نوری]]، [[ROLE|شهردار]] [[LOC|قم]] گفت: بله.\n[[PER|حسین نوری]] افزود: نه.")
    assert [o.name for o in officials] == ["حسین نوری"]


def test_shared_surname_joins_the_person_named_last_before_it():
    markup = ("[[PER|علی رضایی]] و [[PER|حسن رضایی]] آمدند.\n"
              "[[PER|رضایی]]، [[ROLE|شهردار]] [[LOC|قم]] گفت: بله.")
    assert facts(officials_of(markup)) == {("حسن رضایی", "شهردار", "قم")}


def test_person_without_a_position_is_not_an_official():
    assert officials_of("[[PER|علی رضایی]] گفت: بله.") == []


# --- title-only subjects ----------------------------------------------------------------------------

QUOTED = "[[PER|محمد رضایی]]، [[ROLE|معاون شهردار]] [[LOC|مشهد]] گفت: کار تمام شد.\n"


def test_title_only_sentence_continues_the_quoted_speaker():
    markup = QUOTED + "[[ROLE|معاون شهردار]] [[LOC|مشهد]] با بیان اینکه هزینه کم بود، گفت: باز هم می‌سازیم."
    (official,) = officials_of(markup)
    assert official == Official("محمد رضایی", (Position("معاون شهردار", "مشهد", (0,)),))


def test_title_only_sentence_adds_a_role_at_the_same_institution():
    markup = ("[[PER|عیسی بحرینی]]، [[ROLE|عضو]] [[ORG|شورای شهر بندرعباس]]، گفت: پیشرفت کم است.\n"
              "[[ROLE|رئیس کمیسیون نظارت]] [[ORG|شورای شهر بندرعباس]] در بخش دیگری از سخنان خود افزود: گزارش رفت.")
    assert facts(officials_of(markup)) == {("عیسی بحرینی", "عضو", "شورای شهر بندرعباس"),
                                           ("عیسی بحرینی", "رئیس کمیسیون نظارت", "شورای شهر بندرعباس")}


def test_restated_title_in_other_words_is_kept_as_written():
    markup = ("[[PER|خلیل دروگر]]، [[ROLE|مدیرکل آموزش و پرورش]] [[LOC|استان کرمانشاه]] هم گفت: آزمون برگزار شد.\n"
              "[[ROLE|مدیرکل آموزش و پرورش]] [[LOC|کرمانشاه]] با بیان اینکه حوزه‌ها آماده‌اند، گفت: بله.")
    assert facts(officials_of(markup)) == {("خلیل دروگر", "مدیرکل آموزش و پرورش", "استان کرمانشاه"),
                                           ("خلیل دروگر", "مدیرکل آموزش و پرورش", "کرمانشاه")}


def test_title_only_sentence_needs_a_verb_of_speech():
    markup = QUOTED + "[[ROLE|رئیس]] [[ORG|شورا]] در این جلسه حضور داشت."
    assert facts(officials_of(markup)) == {("محمد رضایی", "معاون شهردار", "مشهد")}


def test_also_marks_a_new_speaker():
    markup = QUOTED + "[[ROLE|رئیس]] [[ORG|سازمان پارک‌های شهرداری مشهد]] نیز گفت: درخت کاشتیم."
    assert facts(officials_of(markup)) == {("محمد رضایی", "معاون شهردار", "مشهد")}


def test_an_unrelated_title_is_not_the_speaker():
    markup = QUOTED + "[[ROLE|مدیرعامل]] [[ORG|شرکت گاز]] در ادامه گفت: گاز وصل شد."
    assert facts(officials_of(markup)) == {("محمد رضایی", "معاون شهردار", "مشهد")}


def test_a_former_office_is_not_the_speakers_position():
    quoted = "[[PER|محمد رضایی]] گفت: کار تمام شد.\n"
    markup = quoted + "[[ROLE|شهردار]] سابق [[LOC|مشهد]] با بیان اینکه هزینه زیاد بود، گفت: نباید می‌ساختیم."
    assert officials_of(markup) == []
    assert officials_of(quoted + "[[ROLE|معاون شهردار]] وقت [[LOC|مشهد]] در ادامه گفت: طرح متوقف شد.") == []


def test_a_former_office_in_apposition_is_a_former_position():
    markup = ("[[PER|داود تیموری]]، [[ROLE|شهردار]] [[LOC|اهر]]، گفت: کار تمام شد.\n"
              "از خدمات [[PER|حسن جبارنژاد]]، [[ROLE|شهردار]] وقت [[LOC|اهر]]، قدردانی شد.")
    assert {(o.name, p.role, p.institution, p.former) for o in officials_of(markup) for p in o.positions} == {
        ("داود تیموری", "شهردار", "اهر", False), ("حسن جبارنژاد", "شهردار", "اهر", True)}


def test_a_current_and_a_former_holding_of_one_office_stay_two_positions():
    markup = ("[[PER|علی رضایی]]، [[ROLE|شهردار]] سابق [[LOC|اهر]]، گفت: بله.\n"
              "[[PER|رضایی]]، [[ROLE|شهردار]] [[LOC|اهر]]، افزود: نه.\n"
              "[[PER|رضایی]] [[ROLE|شهردار]] [[LOC|اهر]] است.")
    (official,) = officials_of(markup)
    assert [(p.role, p.institution, p.former, p.evidence) for p in official.positions] == [
        ("شهردار", "اهر", True, (0,)), ("شهردار", "اهر", False, (1, 2))]


def test_speaker_must_have_been_quoted():
    markup = ("[[PER|علی رضایی]]، [[ROLE|رئیس]] [[ORG|شورای شهر قم]] در جلسه حضور داشت.\n"
              "[[ROLE|عضو]] [[ORG|شورای شهر قم]] گفت: بودجه تصویب شد.")
    assert facts(officials_of(markup)) == {("علی رضایی", "رئیس", "شورای شهر قم")}


def test_title_already_held_by_someone_goes_to_them():
    markup = ("[[PER|بیژن اسدالهی]]، [[ROLE|شهردار]] [[LOC|همدان]]، از شهروندان خواست در خانه بمانند.\n"
              "[[ROLE|شهردار]] [[LOC|همدان]] همچنین گفت: اتوبوس رایگان است.\n"
              "به گفته [[PER|آرش پورقاسم]]، [[ROLE|رئیس]] [[ORG|پلیس راهور]]، جاده بسته است.")
    assert facts(officials_of(markup)) == {("بیژن اسدالهی", "شهردار", "همدان"),
                                           ("آرش پورقاسم", "رئیس", "پلیس راهور")}


def test_lead_title_passes_to_the_next_speaker():
    markup = ("[[ROLE|مدیرکل]] [[ORG|میراث فرهنگی همدان]] از بازدید یک میلیون نفر خبر داد.\n"
              "[[PER|فریبا هدایتی]] گفت: غار علیصدر پربازدیدترین بود.")
    assert facts(officials_of(markup)) == {("فریبا هدایتی", "مدیرکل", "میراث فرهنگی همدان")}


def test_after_also_only_a_continuing_speaker_takes_the_title():
    title = "[[ROLE|معاون بهداشت]] [[ORG|دانشگاه علوم پزشکی اراک]] نیز توصیه کرد در خانه بمانند. "
    assert facts(officials_of(title + "[[PER|سمیه تفرشی]] افزود: مراجعه بیشتر شد.")) == {
        ("سمیه تفرشی", "معاون بهداشت", "دانشگاه علوم پزشکی اراک")}
    assert officials_of(title + "[[PER|غلامرضا قربانی]]، از اهالی شهر، گفت: لرزش شدید بود.") == []


def test_after_also_a_speaker_who_goes_on_in_a_second_verb_takes_the_title():
    markup = ("[[ROLE|امام جمعه]] [[LOC|ابهر]] نیز گفت: انقلاب ماندگار است.\n"
              "[[PER|جعفر رحیمی]] این را از ضروریات عنوان کرد و افزود: پیشرفت زیاد بود.")
    assert facts(officials_of(markup)) == {("جعفر رحیمی", "امام جمعه", "ابهر")}


def test_a_demonstrative_title_continues_the_speaker_whatever_their_titles():
    markup = QUOTED + "این [[ROLE|استاد]] [[ORG|حوزه علمیه]] بیان داشت: گره باز می‌شود."
    assert facts(officials_of(markup)) == {("محمد رضایی", "معاون شهردار", "مشهد"),
                                           ("محمد رضایی", "استاد", "حوزه علمیه")}
    assert facts(officials_of(QUOTED + "[[ROLE|استاد]] [[ORG|حوزه علمیه]] بیان داشت: گره باز می‌شود.")) == {
        ("محمد رضایی", "معاون شهردار", "مشهد")}


def test_an_indefinite_lead_title_passes_to_the_next_speaker_not_the_last():
    markup = ("[[PER|علی کریمی]] گفت: بله.\n"
              "یک [[ROLE|کارشناس امور زنان]] گفت: رسانه‌ها اثر دارند.\n"
              "[[PER|مریم ورزدار]] در گفت و گو با ما گفت: دختران الگو دارند.")
    assert facts(officials_of(markup)) == {("مریم ورزدار", "کارشناس امور زنان", None)}


def test_names_inside_the_quote_do_not_stop_a_title_only_subject():
    markup = QUOTED + ("[[ROLE|معاون شهردار]] [[LOC|مشهد]] در ادامه گفت: [[PER|صدام]] با همین هواپیماها "
                       "[[LOC|دزفول]] را زد.")
    assert officials_of(markup)[0].positions[0].evidence == (0,)
    assert facts(officials_of(markup)) == {("محمد رضایی", "معاون شهردار", "مشهد")}
    other = QUOTED + "[[ROLE|رئیس ستاد بحران]] [[LOC|مشهد]] در ادامه گفت: [[PER|صدام]] شهرها را زد."
    assert facts(officials_of(other)) == {("محمد رضایی", "معاون شهردار", "مشهد"),
                                          ("محمد رضایی", "رئیس ستاد بحران", "مشهد")}
    named = QUOTED + "[[ROLE|رئیس ستاد بحران]] [[LOC|مشهد]] و [[PER|علی کریمی]] گفتند: شهر آماده است."
    assert facts(officials_of(named)) == {("محمد رضایی", "معاون شهردار", "مشهد")}


def test_next_speaker_introduced_with_a_description_does_not_take_the_lead_title():
    markup = ("[[ROLE|رئیس]] [[ORG|پلیس راه کرمانشاه]] علت حادثه را خستگی راننده اعلام کرد.\n"
              "[[PER|سارا فرجی]]، یکی از دانشجویان مصدوم، گفت: راننده خسته بود.")
    assert officials_of(markup) == []


def test_next_speaker_introduced_with_their_own_title_does_not_take_the_lead_title():
    markup = ("[[ROLE|فرمانده انتظامی]] [[LOC|اسلامشهر]] هم از همکاری خبر داد.\n"
              "[[PER|شیرین آقازاده]]، [[ROLE|رئیس]] [[ORG|شورای شهر]]، گفت: متخلفان زیادند.")
    assert facts(officials_of(markup)) == {("شیرین آقازاده", "رئیس", "شورای شهر")}


# --- institutions -----------------------------------------------------------------------------------

def test_bare_institution_resolves_to_the_one_named_before():
    markup = ("بودجه [[ORG|شهرداری شیراز]] تصویب شد.\n"
              "[[PER|بهرام اسکندری]]، [[ROLE|سرپرست]] [[ORG|شهرداری]]، گفت: بله.")
    assert facts(officials_of(markup)) == {("بهرام اسکندری", "سرپرست", "شهرداری شیراز")}


def test_bare_institution_stays_when_two_fit():
    markup = ("[[ORG|شهرداری شیراز]] و [[ORG|شهرداری تهران]] توافق کردند.\n"
              "[[PER|بهرام اسکندری]]، [[ROLE|سرپرست]] [[ORG|شهرداری]]، گفت: بله.")
    assert facts(officials_of(markup)) == {("بهرام اسکندری", "سرپرست", "شهرداری")}


def test_abbreviation_resolves_through_ezafe_and_a_generic_head():
    markup = ("[[ORG|شورای اسلامی شهر شیراز]] و [[ORG|شرکت فولاد مبارکه]] توافق کردند.\n"
              "[[PER|فرزانه آزادی]]، [[ROLE|رئیس کمیسیون بودجه]] [[ORG|شورای شهر]]، گفت: بله.\n"
              "[[PER|کیوان سپهری]]، [[ROLE|مدیرعامل]] [[ORG|فولاد مبارکه]] گفت: نه.")
    assert facts(officials_of(markup)) == {("فرزانه آزادی", "رئیس کمیسیون بودجه", "شورای اسلامی شهر شیراز"),
                                           ("کیوان سپهری", "مدیرعامل", "شرکت فولاد مبارکه")}


def test_a_fuller_name_written_later_is_another_body():
    markup = ("[[PER|سیدرضا نصیرپور]]، [[ROLE|رئیس]] [[ORG|فدراسیون والیبال]]، گفت: اردو آغاز می‌شود.\n"
              "پرونده‌ای در [[ORG|فدراسیون جهانی والیبال]] نداریم.")
    assert facts(officials_of(markup)) == {("سیدرضا نصیرپور", "رئیس", "فدراسیون والیبال")}


def test_demonstrative_takes_the_last_institution_of_its_kind():
    markup = ("[[PER|یونس باغبانی]]، [[ROLE|مدیرعامل]] [[ORG|سازمان آتش‌نشانی تبریز]]، گفت: مهار شد.\n"
              "به گفته [[PER|حمید پاشایی]]، [[ROLE|معاون عملیات]] این سازمان، دود غلیظ بود.")
    assert facts(officials_of(markup)) == {("یونس باغبانی", "مدیرعامل", "سازمان آتش‌نشانی تبریز"),
                                           ("حمید پاشایی", "معاون عملیات", "سازمان آتش‌نشانی تبریز")}


def test_its_takes_the_last_institution():
    markup = ("[[PER|پرخیده ابدالی]]، [[ROLE|عضو]] [[ORG|شورای شهر جوانرود]] و [[ROLE|رئیس کمیسیون اقتصادی]] "
              "آن، نیز خواستار پایانه شد.")
    assert facts(officials_of(markup)) == {("پرخیده ابدالی", "عضو", "شورای شهر جوانرود"),
                                           ("پرخیده ابدالی", "رئیس کمیسیون اقتصادی", "شورای شهر جوانرود")}


# --- positions and evidence -------------------------------------------------------------------------

def test_repeated_position_is_kept_once_with_all_its_evidence():
    markup = ("[[PER|داوود قناعتی]]، [[ROLE|مدیرعامل]] [[ORG|شرکت مس]] گفت: بله.\n"
              "در تصویر: [[PER|داوود قناعتی]]، [[ROLE|مدیرعامل]] [[ORG|شرکت مس]]")
    assert officials_of(markup) == [Official("داوود قناعتی", (Position("مدیرعامل", "شرکت مس", (0, 1)),))]


def test_position_without_institution_merges_into_the_same_role_with_one():
    markup = "[[PER|علی رضایی]]، [[ROLE|شهردار]] [[LOC|قم]] گفت: بله.\n[[ROLE|شهردار]]، [[PER|رضایی]] افزود: نه."
    assert officials_of(markup) == [Official("علی رضایی", (Position("شهردار", "قم", (0, 1)),))]


def test_given_relations_are_the_evidence_in_order_of_officials():
    markup = "[[PER|علی رضایی]]، [[ROLE|شهردار]] [[LOC|قم]] و [[PER|حسن کاظمی]]، [[ROLE|فرماندار]] [[LOC|کاشان]] آمدند."
    officials = officials_of(markup, [(3, 4, 5), (0, 1, 2)])
    assert [(o.name, o.positions[0].evidence) for o in officials] == [("علی رضایی", (1,)), ("حسن کاظمی", (0,))]


def test_relation_must_join_a_person_to_a_role():
    with pytest.raises(ValueError, match="PER to a ROLE"):
        officials_of("[[PER|علی رضایی]]، [[ROLE|شهردار]] [[LOC|قم]] آمد.", [(1, 0, 2)])


# --- learned title links -------------------------------------------------------------------------------

def linked_officials(markup: str, titles: LogisticModel) -> list[Official]:
    doc = parse_markup("### t\n" + markup)[0]
    sents = sentences(normalize(doc.text))
    return build_officials(doc.text, sents, doc.entities, extract_relations(doc.text, sents, doc.entities), titles)


LATEST = LogisticModel(["rank=0", "chain:opens"], torch.tensor([2.0, 2.0]), -3.0)
"""A hand-set link model: a chain that opens its sentence describes the person mentioned last."""

DESCRIPTION = ("[[PER|برانکو]] به دنبال سه امتیاز است.\n"
               "[[ROLE|سرمربی]] [[ORG|پرسپولیس]] که در این دیدار دو بازیکن را از دست داده، چشم به امتیاز دوخته است.")


def test_a_description_without_speech_goes_to_the_person_the_link_model_picks():
    assert officials_of(DESCRIPTION) == []  # the rules need a verb of speech
    assert facts(linked_officials(DESCRIPTION, LATEST)) == {("برانکو", "سرمربی", "پرسپولیس")}


def test_a_link_below_the_threshold_gives_nothing():
    unsure = LogisticModel(["rank=0"], torch.tensor([1.0]), -3.0)
    assert linked_officials(DESCRIPTION, unsure) == []


def test_a_linked_former_office_is_a_former_position():
    markup = ("[[PER|میلاد فراهانی]] در بازی خوب بود.\n"
              "[[ROLE|دروازه‌بان]] سابق [[ORG|پیکان]] در ادامه درباره شرایط خودش هم حرف زد.")
    (official,) = linked_officials(markup, LATEST)
    assert [(p.role, p.institution, p.former) for p in official.positions] == [("دروازه‌بان", "پیکان", True)]


def test_a_chain_with_a_holder_in_its_sentence_is_not_linked():
    markup = ("[[PER|علی رضایی]] آمد.\n[[PER|مریم احمدی]]، [[ROLE|رئیس]] [[ORG|شورای شهر قم]] گفت: بله.")
    assert facts(linked_officials(markup, LATEST)) == {("مریم احمدی", "رئیس", "شورای شهر قم")}


def test_title_examples_are_labelled_by_the_documents_officials():
    doc = parse_markup("### t\n" + DESCRIPTION + "\nofficial: برانکو | سرمربی | پرسپولیس")[0]
    (example,) = title_examples(doc)
    features, label = example
    assert label and features["chain:opens"] == 1.0 and features["distance=1"] == 1.0
    assert not any(label for _, label in title_examples(parse_markup("### t\n" + DESCRIPTION)[0]))
