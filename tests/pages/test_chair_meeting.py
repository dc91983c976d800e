"""The chair runs a whole meeting in the browser: a session over two calls, its agenda,
convened, refused to open before its day, opened on the day (the clock moved with
time-machine), a funder correcting its decision, the chair deferring an absent funder's share,
a close refused then confirmed. Every page is screenshotted and checked with axe."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import time_machine
from playwright.sync_api import expect

from engine.clock import PARIS
from engine.db import Database
from engine.settings import Settings
from tests.api.conftest import Api
from tests.conftest import PASSWORD, Seeded
from tests.pages.conftest import attend_all


def test_the_chair_runs_a_whole_meeting_over_two_calls(
    visitors: Any, seeded: Seeded, db: Database, settings: Settings
) -> None:
    api = Api(seeded, db, settings)
    spring = api.call(title="Reaap — appel du printemps")
    autumn = api.call(title="Reaap — appel de l'automne")
    cafe = api.eligible(spring["id"], title="Café des parents")
    ateliers = api.eligible(autumn["id"], title="Ateliers du mercredi")

    # The meeting is in two days; the chair prepares it the evening before.
    day = (datetime.now(UTC) + timedelta(days=2)).astimezone(PARIS).date()
    evening = datetime.combine(day - timedelta(days=1), time(22, 30), PARIS)
    with time_machine.travel(evening, tick=True) as traveller:
        chair = visitors("chair")
        chair.goto("/seances")
        chair.page.get_by_role("link", name="Nouvelle séance").click()
        for call in (spring, autumn):
            chair.page.locator(f"#f-call-{call['id']}").check(force=True)
        chair.page.locator("#f-title").fill("Comité commun de décembre")
        chair.page.locator("#f-starts-at").fill(f"{day.isoformat()}T09:30")
        chair.page.locator("#f-location").fill("Hôtel du Département, Grenoble")
        chair.check("m01-presidence-nouvelle-seance-deux-appels")
        chair.page.get_by_role("button", name="Créer la séance").click()
        expect(chair.page.get_by_text("La séance est créée.")).to_be_visible()
        session_url = chair.page.url.split("?")[0]
        header = chair.page.locator("h1 + p")
        expect(header).to_contain_text("appel du printemps")
        expect(header).to_contain_text("appel de l'automne")

        # Convening an empty agenda is refused, in French, on the session screen.
        chair.page.get_by_role("button", name="Convoquer").click()
        expect(chair.page.get_by_text("L'ordre du jour est vide")).to_be_visible()
        chair.check("m02-presidence-convocation-refusee")

        # The agenda takes the files of both calls.
        chair.goto(session_url)
        chair.page.get_by_label(re.compile("Café des parents")).check(force=True)
        chair.page.get_by_label(re.compile("Ateliers du mercredi")).check(force=True)
        chair.page.get_by_role("button", name="Enregistrer l'ordre du jour").click()
        expect(chair.page.get_by_text("L'ordre du jour est enregistré.")).to_be_visible()
        chair.page.get_by_role("button", name="Convoquer").click()
        expect(chair.page.get_by_text("La séance est convoquée")).to_be_visible()
        chair.check("m03-presidence-seance-convoquee")

        # The evening before, the session does not open yet.
        chair.page.get_by_role("button", name="Ouvrir la séance").click()
        expect(chair.page.get_by_text("à partir de son jour")).to_be_visible()
        chair.check("m04-presidence-ouverture-trop-tot")

        # On the day (the clock moves past midnight in Paris), it opens.
        traveller.move_to(datetime.combine(day, time(0, 15), PARIS))
        chair.goto(session_url)
        attend_all(chair)  # every member present: the quorum
        chair.page.get_by_role("button", name="Ouvrir la séance").click()
        expect(chair.page.get_by_text("La séance est ouverte.")).to_be_visible()

        # The Caf decides both files, then corrects one of them.
        caf = visitors("caf1")
        caf.goto(session_url)
        for _ in range(2):
            form = caf.page.locator("form.cf-decision").first
            form.locator('input[name="amount"]').fill("2000")
            form.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
            expect(caf.page.get_by_text("La décision est enregistrée.")).to_be_visible()
        expect(caf.page.get_by_role("link", name=re.compile("^Corriger"))).to_have_count(2)
        caf.check("m05-financeur-decisions-enregistrees")
        caf.page.get_by_role(
            "link", name=re.compile("Corriger la décision sur REAAP")
        ).first.click()
        form = caf.page.locator("form.cf-decision")
        form.get_by_text("Refuser", exact=True).click()
        caf.check("m06-financeur-correction")
        form.get_by_role("button", name=re.compile("Enregistrer la correction")).click()
        expect(caf.page.get_by_text("La décision est corrigée")).to_be_visible()
        expect(caf.page.locator(".cf-saved-decision").first).to_contain_text("Refusée")

        # The Département and the State decide through the API; the MSA's member has left.
        session_id = int(session_url.rsplit("/", 1)[1])
        for user in ("dep1", "etat1"):  # tokens of the moved clock
            form_data = {"username": user, "password": PASSWORD}
            token = api.ok(seeded.client.post("/api/v1/auth/token", data=form_data))
            api.headers[user] = {"Authorization": f"Bearer {token['access_token']}"}
        for application in (cafe, ateliers):
            for funder in ("departement", "etat"):
                decided = api.decide(session_id, application["id"], funder, "refused")
                api.ok(decided, 201)

        # A close with undecided shares is refused on a French page listing them.
        chair.goto(session_url)
        closing = chair.page.locator("#cloture")
        expect(closing.locator("li")).to_have_count(2)
        chair.check("m07-presidence-parts-non-decidees")
        chair.page.get_by_role("link", name="Clore la séance…").click()
        chair.check("m08-presidence-confirmation-avec-parts-en-attente")
        chair.page.get_by_label(re.compile("Je confirme la clôture")).check(force=True)
        chair.page.get_by_role("button", name="Clore la séance").click()
        expect(chair.page.get_by_text("La séance n'est pas close")).to_be_visible()
        expect(chair.page.get_by_role("link", name=re.compile("Café des parents"))).to_be_visible()
        assert "409" not in chair.page.locator("h1").inner_text()
        chair.check("m09-presidence-cloture-refusee")

        # The chair defers the absent MSA's shares: a reason is required.
        chair.goto(session_url)
        report = chair.page.locator("form.cf-report").first
        report.get_by_role("button", name=re.compile("Reporter")).click()
        expect(chair.page.get_by_text("Indiquez un motif.")).to_be_visible()
        chair.check("m10-presidence-report-sans-motif")
        for _ in range(2):
            report = chair.page.locator("form.cf-report").first
            report.locator('input[name="reason"]').fill("La MSA est absente de la séance.")
            report.get_by_role("button", name=re.compile("Reporter")).click()
            expect(
                chair.page.get_by_text("La part du financeur absent est reportée.")
            ).to_be_visible()
        expect(chair.page.locator("#cloture")).to_contain_text("peut être close")

        # The file, reached from the session, has the session in its breadcrumb.
        chair.page.locator("#seance-direct").get_by_role(
            "link", name=re.compile("Café des parents")
        ).click()
        trail = chair.page.locator(".fr-breadcrumb__list")
        expect(trail).to_contain_text("Séances")
        expect(trail).not_to_contain_text("Tableau de bord")
        chair.check("m11-presidence-dossier-depuis-la-seance")

        # The close asks for a confirmation, then locks the decisions.
        chair.goto(session_url)
        chair.page.get_by_role("link", name="Clore la séance…").click()
        chair.page.get_by_role("button", name="Clore la séance").click()
        expect(chair.page.get_by_text("Cochez la case pour confirmer")).to_be_visible()
        chair.check("m12-presidence-confirmation-manquante")
        chair.page.get_by_label(re.compile("Je confirme la clôture")).check(force=True)
        chair.page.get_by_role("button", name="Clore la séance").click()
        expect(chair.page.get_by_text("La séance est close")).to_be_visible()
        chair.check("m13-presidence-seance-close")

        # The dashboard's charts follow the call selector.
        chair.goto(f"/tableau-de-bord?appel={autumn['id']}")
        expect(chair.page.locator("#dispositifs")).to_contain_text("appel de l'automne")
        chair.check("m14-presidence-tableau-de-bord-appel")
