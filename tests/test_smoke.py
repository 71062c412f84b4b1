def test_home_redirects_single_ght_member(office_client, ght):
    response = office_client.get("/")
    assert response.status_code == 302
    assert response.url == "/alpha/"
